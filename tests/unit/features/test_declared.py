"""Declared once: a field's presence in the Feast declaration decides the gold columns, the gold
quality suites, serving's online refs and the ranker's FEATURES; removing it removes it from all."""

from __future__ import annotations

import pytest
from feast import Field
from feast.types import Float64

from features import declared
from features.repo import definitions
from models.ranker.features import ranker_features
from quality.suites import gold_suites
from serving.features import OnlineFeatures


def columns_checked(suites: dict, table: str) -> set[str]:
    return {kw["column"] for _, kw in suites[table] if "column" in kw}


def everything_derived(settings) -> dict[str, set[str]]:
    serving = OnlineFeatures(settings).refs[definitions.RANKER_SERVICE]
    return {
        "gold": set(declared.gold_columns("product_features")),
        "suites": columns_checked(gold_suites(), "product_features"),
        "serving": {ref.split(":", 1)[1] for ref in serving},
        "features": set(ranker_features()),
    }


def test_a_declared_ranker_field_reaches_gold_suites_serving_and_features(settings):
    derived = everything_derived(settings)
    assert all("ctr_7d" in names for names in derived.values()), derived


def test_a_field_removed_from_the_declaration_disappears_everywhere(settings, monkeypatch):
    kept = [f for f in definitions.PRODUCT_FIELDS if f.name != "ctr_7d"]
    monkeypatch.setattr(definitions, "PRODUCT_FIELDS", kept)
    derived = everything_derived(settings)
    assert not any("ctr_7d" in names for names in derived.values()), derived
    assert "price" in derived["gold"] and "price" in derived["features"]


def test_a_new_numeric_field_becomes_a_ranker_feature_and_a_gold_column(settings, monkeypatch):
    added = Field(name="returns_30d", dtype=Float64)
    monkeypatch.setattr(definitions, "PRODUCT_FIELDS", [*definitions.PRODUCT_FIELDS, added])
    derived = everything_derived(settings)
    assert all("returns_30d" in names for names in derived.values())


def test_not_null_follows_the_nullable_tag():
    assert "top_category" not in declared.not_null_columns("customer_features")
    assert "top_category" in declared.gold_columns("customer_features")
    assert declared.not_null_columns("shopper_activity")[:2] == ["customer_id", "event_timestamp"]
    assert "recent_products" in declared.not_null_columns("shopper_activity")


def test_unknown_names_are_errors_not_empty_lists():
    with pytest.raises(KeyError):
        declared.service_fields("ranker_v9")
    with pytest.raises(KeyError):
        declared.gold_columns("no_such_view")
