"""Recommendations and "also bought" as serving shows them: cold start says `popularity`, an
unknown product gets popular products, sold-out products never show, nothing raises."""

from __future__ import annotations

import pytest

from models.recommender.also_bought import also_bought, co_occurrence_neighbours
from models.recommender.model import RecommenderNet
from models.recommender.predict import Recommender
from serving.recommend.service import RecommendationService
from serving.search.index.tantivy_index import TantivyIndex

PRODUCTS = [  # id, rating, stock
    ("p-1", 4.8, 5), ("p-2", 4.1, 0), ("p-3", 3.5, 10), ("p-4", 4.9, 2), ("p-5", 2.0, 3),
]  # fmt: skip


@pytest.fixture
def index(settings):
    index = TantivyIndex(settings.search_index_dir)
    index.upsert(
        {"product_id": p, "title": f"thing {p}", "description": "", "brand": "acme",
         "category": "home", "price": 10.0, "rating": r, "stock": s}
        for p, r, s in PRODUCTS
    )  # fmt: skip
    index.commit()
    return index


@pytest.fixture
def recommender():
    net = RecommenderNet(["p-1", "p-2", "p-3", "p-4", "p-5"], {"p-4": 0.5, "p-3": 0.3, "p-1": 0.2})
    net.histories = {"c-1": ["p-1", "p-3"]}
    net.purchased = {"c-1": {"p-1", "p-2"}, "c-2": {"p-1", "p-2", "p-5"}}
    net.also_bought = also_bought(net.purchased, {"c-1": ["p-1", "p-3"]})
    return Recommender("9", net.eval())


def test_co_purchases_are_cosine_weighted_and_symmetric():
    neighbours = co_occurrence_neighbours([{"a", "b"}, {"a", "b"}, {"a", "c"}])
    assert [p for p, _ in neighbours["a"]] == ["b", "c"]
    assert neighbours["b"] == [("a", pytest.approx(2 / (3 * 2) ** 0.5))]


def test_also_bought_puts_co_purchases_before_co_views(recommender):
    similar = recommender.similar("p-1", k=4)
    assert [p for p, _ in similar][:3] == ["p-2", "p-5", "p-3"]  # bought, bought, viewed
    assert similar[0][1] > 1.0 >= similar[2][1]
    assert recommender.similar_strategy("p-1") == "also_bought"
    assert recommender.similar_strategy("p-404") == "popularity"
    assert recommender.similar("p-404", k=2) == [("p-4", 0.5), ("p-3", 0.3)]


def test_a_known_shopper_gets_the_model_and_a_new_one_popularity(settings, index, recommender):
    service = RecommendationService(settings, recommender, index=index)
    known = service.recommend("c-1", 3)
    assert known["strategy"] == "sasrec" and known["recommender"] == "9"
    assert len(known["items"]) == 3 and all(item["stock"] > 0 for item in known["items"])
    new = service.recommend("c-new", 2)
    assert new["strategy"] == "popularity" and new["fallback"] is None
    assert [item["product_id"] for item in new["items"]] == ["p-4", "p-3"]


def test_similar_in_serving_skips_sold_out_and_the_product_itself(settings, index, recommender):
    service = RecommendationService(settings, recommender, index=index)
    result = service.similar("p-1", 3)
    ids = [item["product_id"] for item in result["items"]]
    assert result["strategy"] == "also_bought" and "p-2" not in ids and "p-1" not in ids
    assert ids[0] == "p-5" and len(ids) == 3
    unknown = service.similar("no-such-product", 2)
    assert unknown["strategy"] == "popularity"
    assert [item["product_id"] for item in unknown["items"]] == ["p-4", "p-3"]


def test_without_a_recommender_everything_is_top_rated(settings, index):
    service = RecommendationService(settings, index=index)
    for result in (service.recommend("c-1", 2), service.similar("p-1", 2)):
        assert result["strategy"] == "top_rated" and result["fallback"] == "no_recommender"
        assert [item["product_id"] for item in result["items"]][0] == "p-4"
