"""rows_for: shared feature rows for serving, with defaults and customer match flags."""

from __future__ import annotations

import numpy as np
import pytest

from models.ranker.features import DEFAULTS, FEATURES, rows_for

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


def test_rows_carry_every_feature_in_candidate_order():
    rows = rows_for(CANDIDATES, STORED, {"top_category": "books", "top_brand": "hooli"})
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


def test_match_flags_follow_the_customer_and_are_zero_without_one():
    with_customer = rows_for(CANDIDATES, STORED, {"top_category": "books", "top_brand": "hooli"})
    assert [(r["category_match"], r["brand_match"]) for r in with_customer] == [(1, 0), (0, 1)]
    anonymous = rows_for(CANDIDATES, STORED, None)
    assert all(r["category_match"] == 0 and r["brand_match"] == 0 for r in anonymous)


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
