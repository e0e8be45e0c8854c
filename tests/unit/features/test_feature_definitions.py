"""The Feast definitions are plain objects built from a path: names, keys, ttl, services."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from feast import Entity, FeatureService, FeatureView, PushSource

from features.repo.definitions import RANKER_SERVICE, RECOMMENDER_SERVICE, definitions


def test_definitions_name_the_contracted_entities_views_and_services():
    objects = definitions(Path("/nowhere/gold"))
    entities = {o.name: o for o in objects if isinstance(o, Entity)}
    views = {o.name: o for o in objects if isinstance(o, FeatureView)}
    services = {o.name: o for o in objects if isinstance(o, FeatureService)}
    assert entities["product"].join_key == "product_id"
    assert entities["customer"].join_key == "customer_id"
    assert set(views) == {"product_features", "customer_features", "shopper_activity"}
    assert all(view.online for view in views.values())
    assert all(0 < views[v].ttl.days <= 7 for v in ("product_features", "customer_features"))
    assert views["product_features"].batch_source.path == "/nowhere/gold/product_features"
    assert set(services) == {"ranker_v1", "recommender_v1", "ranker_v2", "recommender_v2"}
    ranker_views = {p.name for p in services["ranker_v1"].feature_view_projections}
    assert ranker_views == {"product_features", "customer_features"}


def test_shopper_activity_is_pushed_online_and_read_from_gold_for_training():
    views = {o.name: o for o in definitions(Path("/g")) if isinstance(o, FeatureView)}
    activity = views["shopper_activity"]
    assert isinstance(activity.stream_source, PushSource)
    assert activity.stream_source.name == "shopper_activity_push"
    assert activity.batch_source.path == "/g/shopper_activity"
    assert activity.entities == ["customer"] and activity.ttl == timedelta(0)  # never ages out
    names = [f.name for f in activity.features]
    assert names[:3] == ["recent_products", "purchased_products", "recent_queries"]


def test_the_v2_services_read_the_shoppers_activity_not_their_daily_snapshot():
    services = {o.name: o for o in definitions(Path("/g")) if isinstance(o, FeatureService)}
    ranker = {
        p.name: [f.name for f in p.features]
        for p in services[RANKER_SERVICE].feature_view_projections
    }
    assert ranker["shopper_activity"] == ["recent_products"]
    assert "customer_features" not in ranker and "stock" not in ranker["product_features"]
    recommender = services[RECOMMENDER_SERVICE].feature_view_projections
    assert [p.name for p in recommender] == ["shopper_activity"]
