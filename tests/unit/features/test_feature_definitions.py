"""The Feast definitions are plain objects built from a path: names, keys, ttl, services."""

from __future__ import annotations

from pathlib import Path

from feast import Entity, FeatureService, FeatureView

from features.repo.definitions import definitions


def test_definitions_name_the_contracted_entities_views_and_services():
    objects = definitions(Path("/nowhere/gold"))
    entities = {o.name: o for o in objects if isinstance(o, Entity)}
    views = {o.name: o for o in objects if isinstance(o, FeatureView)}
    services = {o.name: o for o in objects if isinstance(o, FeatureService)}
    assert entities["product"].join_key == "product_id"
    assert entities["customer"].join_key == "customer_id"
    assert set(views) == {"product_features", "customer_features"}
    assert all(view.online and 0 < view.ttl.days <= 7 for view in views.values())
    assert views["product_features"].batch_source.path == "/nowhere/gold/product_features"
    assert set(services) == {"ranker_v1", "recommender_v1"}
    ranker_views = {p.name for p in services["ranker_v1"].feature_view_projections}
    assert ranker_views == {"product_features", "customer_features"}
