"""Search reads its Feast features from the real online store: exactly the refs of the service
training used, the shopper's affinity from their fresh activity, and every gap reported."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pandas as pd
import pytest

from features.activity import ShopperActivity
from features.activity_online import push_states
from features.declared import service_refs
from features.store import apply
from features.training_sets import RANKER_SERVICE, RECOMMENDER_SERVICE
from models.ranker.features import FEATURES
from serving.features import OnlineFeatures
from serving.search.service import SearchService
from tests.unit.serving.test_search_service import PRODUCTS, filled_index

AT = datetime(2025, 3, 1, 12, tzinfo=UTC)


class RecordingRanker:
    version = "5"

    def __init__(self) -> None:
        self.rows: list[dict] = []

    def score(self, rows):
        self.rows = rows
        return [row["category_affinity"] for row in rows]


@pytest.fixture
def online(settings):
    """p-1 has a gold row online; shopper c-1 recently looked at p-1 (Kitchen) and p-3
    (Cleaning), both by Acme."""
    store = apply(settings)
    product = {"product_id": ["p-1"], "event_timestamp": [pd.Timestamp(AT)], "category": "Kitchen",
               "brand": "Acme", "price": 30.0, "price_rel_category": 0.9, "rating": 4.8,
               "rating_count": 7, "stock": 5, "in_stock": 1, "orders_7d": 2, "units_7d": 2,
               "impressions_7d": 40, "clicks_7d": 4, "ctr_7d": 0.08, "popularity": 1.1,
               "family_orders_7d": 5, "family_ctr_7d": 0.1}  # fmt: skip
    store.write_to_online_store("product_features", pd.DataFrame(product))
    shopper = ShopperActivity("c-1", ("p-1", "p-3"), ("p-3",), ("kettle",), (), 9, AT)
    push_states(store, [shopper])
    requested: list[str] = []
    features = OnlineFeatures(settings)
    real = features.online_store()
    ask = real.get_online_features

    def spy(features, entity_rows, **kw):  # the real store, with what it was asked noted
        requested.extend(features)
        return ask(features=features, entity_rows=entity_rows, **kw)

    real.get_online_features = spy
    return features, requested


def test_search_ranks_with_the_shoppers_fresh_affinity_and_reports_the_gaps(settings, online):
    features, requested = online
    ranker = RecordingRanker()
    service = SearchService(settings, ranker=ranker, features=features,
                            index=filled_index(settings, PRODUCTS))  # fmt: skip
    response = service.search("kettle", customer_id="c-1", stock="ignore")
    by_id = {row["product_id"]: row for row in ranker.rows}
    assert set(FEATURES) <= set(by_id["p-1"])  # what a trained ranker reads, the rows carry
    # Of (p-1 Kitchen/Acme, p-3 Cleaning/Acme): p-2 is Kitchen by Bolt.
    affinity = {p: (r["category_affinity"], r["brand_affinity"]) for p, r in by_id.items()}
    assert affinity == {"p-1": (0.5, 1.0), "p-2": (0.5, 0.0), "p-3": (0.5, 1.0)}
    assert by_id["p-1"]["ctr_7d"] == pytest.approx(0.08)  # read from Feast
    family = (by_id["p-1"]["family_orders_7d"], by_id["p-1"]["family_ctr_7d"])
    assert family == pytest.approx((5, 0.1))  # read from Feast through the service
    assert by_id["p-2"]["family_ctr_7d"] == pytest.approx(1 / 20)  # no row: the smoothed prior
    assert response.feature_fallback == {"product_features": 2}  # p-2 and p-3 have no row
    assert response.ranker == "5"
    assert set(requested) <= set(service_refs(RANKER_SERVICE))


def test_an_unknown_shopper_is_a_logged_fallback_not_a_silent_default(settings, online, caplog):
    features, _ = online
    service = SearchService(settings, ranker=RecordingRanker(), features=features,
                            index=filled_index(settings, PRODUCTS))  # fmt: skip
    with caplog.at_level(logging.INFO, logger="serving.features"):
        response = service.search("kettle", customer_id="c-404", stock="ignore")
    assert response.feature_fallback == {"product_features": 2, "shopper_activity": 1}
    assert "unknown shopper c-404" in caplog.text
    assert "p-2" in caplog.text  # the products read as defaults are named
    anonymous = service.search("kettle", stock="ignore")
    assert anonymous.feature_fallback == {"product_features": 2}


def test_recommendations_read_the_shopper_through_the_recommender_service(settings, online):
    features, requested = online
    shopper = features.for_shopper("c-1")
    assert shopper is not None
    assert shopper.recent_products == ("p-1", "p-3") and shopper.purchased_products == ("p-3",)
    assert shopper.recent_queries == ("kettle",)
    assert features.for_shopper("c-404") is None
    assert set(requested) <= set(service_refs(RECOMMENDER_SERVICE))


def test_serving_reads_exactly_the_services_training_used(settings):
    refs = OnlineFeatures(settings).refs
    assert refs == {
        RANKER_SERVICE: service_refs(RANKER_SERVICE),
        RECOMMENDER_SERVICE: service_refs(RECOMMENDER_SERVICE),
    }


def test_a_missing_store_falls_back_for_everything_and_says_why(settings, caplog):
    features = OnlineFeatures(settings)
    features._store = object()  # a store that cannot answer (e.g. never applied)
    with caplog.at_level(logging.WARNING, logger="serving.features"):
        found = features.for_ranking(["p-1", "p-2"], "c-1")
    assert found.fallback == {"product_features": 2, "shopper_activity": 1}
    assert found.products == {} and found.shopper is None
    assert "online features unavailable" in caplog.text
