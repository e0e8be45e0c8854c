"""rows_for: shared feature rows for serving, with defaults and the shopper's affinities."""

from __future__ import annotations

import numpy as np
import pytest

from features.declared import service_fields
from features.repo.definitions import RANKER_SERVICE
from models.ranker.features import (
    DEFAULTS,
    FEATURES,
    REQUEST_TIME,
    ShopperProfile,
    rows_for,
    shopper_profile,
)
from models.ranker.model import KNOTS, RankerNet, content_columns

CANDIDATES = [
    {
        "product_id": "p-1",
        "score": 3.5,
        "category": "books",
        "brand": "acme",
        "price": 12.0,
        "rating": 4.5,
        "stock": 0,
    },
    {
        "product_id": "p-2",
        "score": 1.0,
        "category": "toys",
        "brand": "hooli",
        "price": 30.0,
        "rating": 2.0,
        "stock": 4,
    },
]
STORED = {
    "p-1": {
        "price": 10.0,
        "price_rel_category": 0.8,
        "ctr_7d": 0.2,
        "orders_7d": 3,
        "popularity": None,
        "in_stock": 1,
    }
}


CATALOG = {
    "p-7": {"category": "books", "brand": "acme"},
    "p-8": {"category": "books", "brand": "hooli"},
    "p-9": {"category": "toys", "brand": "hooli"},
}
READER = shopper_profile(["p-7", "p-8", "p-9", "p-gone"], CATALOG)


def test_features_are_the_ranker_services_numbers_plus_the_request_time_ones():
    stored = [
        f.name
        for fields in service_fields(RANKER_SERVICE).values()
        for f in fields
        if f.name not in ("category", "brand", "recent_products")
    ]
    assert [*REQUEST_TIME, *stored] == FEATURES
    assert "category_affinity" in FEATURES and "category_match" not in FEATURES


def test_rows_carry_every_feature_in_candidate_order():
    rows = rows_for(CANDIDATES, STORED, READER)
    assert [row["product_id"] for row in rows] == ["p-1", "p-2"]
    assert all(set(FEATURES) <= set(row) for row in rows)
    assert rows[0]["index_score"] == 3.5


def test_live_candidate_values_win_and_missing_ones_default():
    first, second = rows_for(CANDIDATES, STORED, None)
    assert first["price"] == 12.0  # the live index price, not yesterday's snapshot
    assert first["in_stock"] == 0.0  # live stock 0 beats the stored in_stock 1
    assert first["ctr_7d"] == pytest.approx(0.2)
    assert first["popularity"] == DEFAULTS["popularity"]  # None in Feast
    assert second["price_rel_category"] == DEFAULTS["price_rel_category"]  # no Feast row at all


def test_affinity_is_the_share_of_recent_products_in_the_candidates_category_and_brand():
    # p-1 is a book by acme, p-2 a toy by hooli; the shopper's 4 recent products: 2 books, 1 toy,
    # 2 by hooli, 1 by acme, and one the catalog no longer knows (it still counts in the share).
    with_shopper = rows_for(CANDIDATES, STORED, READER)
    affinities = [(r["category_affinity"], r["brand_affinity"]) for r in with_shopper]
    assert affinities == [(0.5, 0.25), (0.25, 0.5)]
    anonymous = rows_for(CANDIDATES, STORED, None)
    assert all(r["category_affinity"] == 0 and r["brand_affinity"] == 0 for r in anonymous)


def test_the_profile_is_none_without_history_and_ignores_unknown_attributes():
    assert shopper_profile([], CATALOG) is None and shopper_profile(None, CATALOG) is None
    profile = shopper_profile(["p-gone"], CATALOG)
    assert profile == ShopperProfile({}, {})
    assert profile.affinity("", None) == (0.0, 0.0)


def test_a_trained_ranker_reads_only_features_the_rows_carry():
    """What a trained ranker records (feature_names) must be built by the rows serving makes."""
    net = RankerNet(np.zeros((len(content_columns()), KNOTS)))
    built = set(rows_for(CANDIDATES, STORED, READER)[0])
    assert set(net.feature_names) <= built
    assert net.feature_names == FEATURES


class WordOverlap:
    """A plain similarity (Jaccard of title and query words) standing in for the encoder."""

    def similarities(self, query, product_ids, titles):
        asked = set(query.lower().split())
        return np.array(
            [len(asked & set(t.lower().split())) / len(asked | set(t.lower().split()) or {1})
             for t in titles]
        )  # fmt: skip


def test_query_time_features_read_the_query_against_title_brand_and_category():
    titled = [
        CANDIDATES[0] | {"title": "Acme Garden Hose", "category": "Home > Garden"},
        CANDIDATES[1] | {"title": "Hooli Toy Robot"},
    ]
    hose, robot = rows_for(
        titled, STORED, None, query="acme garden hoses", embeddings=WordOverlap()
    )
    assert hose["query_in_title"] == pytest.approx(1.0)  # plural folded
    assert hose["query_in_brand"] == pytest.approx(1 / 3)
    assert hose["query_in_category"] == pytest.approx(1 / 3)
    assert hose["title_similarity"] > robot["title_similarity"] == 0.0
    assert robot["query_in_title"] == 0.0


def test_without_a_query_or_embeddings_the_query_features_are_zero():
    (row, _) = rows_for(CANDIDATES, STORED, None)
    assert row["query_in_title"] == row["title_similarity"] == 0.0
