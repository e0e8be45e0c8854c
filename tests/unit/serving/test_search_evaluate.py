"""Relevance evaluation on a tiny data dir: hand-checked metrics, with and without a ranker."""

import json
import math

import numpy as np
import pytest

from serving.search.evaluate import REPORT_FILE, evaluate, ndcg_at, recall_at
from serving.search.index.tantivy_index import TantivyIndex

PRODUCTS = [
    ("p-1", "Steel kettle", 30.0, 5),
    ("p-2", "Glass kettle", 60.0, 4),
    ("p-3", "Kettle descaler", 8.0, 10),
    ("p-4", "Running shoe", 80.0, 2),
]
JUDGED = [
    {"query_id": "jq-1", "query": "glass kettle", "customer_id": None,
     "judgments": {"p-2": 3, "p-1": 1}},
    {"query_id": "jq-2", "query": "shoes", "customer_id": "c-1", "judgments": {"p-4": 2}},
    {"query_id": "jq-3", "query": "unicorn", "customer_id": None, "judgments": {"p-9": 1}},
]  # fmt: skip


def test_ndcg_and_recall_by_hand():
    assert ndcg_at(["a", "b"], {"a": 3, "b": 1}) == 1.0
    swapped = (1 + 7 / math.log2(3)) / (7 + 1 / math.log2(3))
    assert ndcg_at(["b", "a"], {"a": 3, "b": 1}) == pytest.approx(swapped)
    assert recall_at(["a", "x"], {"a": 1, "b": 2, "c": 0}) == 0.5
    assert ndcg_at([], {"a": 1}) == 0.0 and recall_at(["a"], {}) == 0.0


def test_a_family_counts_once_in_the_ideal_list_and_is_found_by_any_variant():
    # a and a2 are two sizes of family f: a list can show only one of them
    grades, families = {"a": 3, "a2": 3, "b": 1}, {"a": "f", "a2": "f"}
    assert ndcg_at(["a", "b"], grades, families=families) == 1.0
    assert ndcg_at(["a", "b"], grades) < 1.0  # counted apart, the ideal is out of reach
    assert recall_at(["a2", "b"], grades, families=families) == 1.0
    assert recall_at(["a2"], grades, families=families) == 0.5


@pytest.fixture
def data_dir(settings):
    index = TantivyIndex(settings.search_index_dir)
    index.upsert(
        {"product_id": p, "title": t, "brand": "Acme", "category": "Kitchen", "price": price,
         "rating": 4.0, "stock": s}
        for p, t, price, s in PRODUCTS
    )  # fmt: skip
    index.commit()
    body = {"queries": JUDGED}
    (settings.simulation_dir / "judged_queries.json").write_text(json.dumps(body))
    return settings


def test_index_order_alone(data_dir):
    report = evaluate(data_dir, ranker=None)
    assert report["queries"] == 3 and report["personalised"] == 1
    index = report["index"]
    # jq-1 needs both words: p-2 alone (recall 1/2); jq-2 finds p-4 by its stem; jq-3 nothing.
    first = 7 / (7 + 1 / math.log2(3))
    assert index["ndcg_at_10"] == pytest.approx((first + 1 + 0) / 3, abs=1e-4)
    assert index["zero_result_rate"] == pytest.approx(1 / 3, abs=1e-4)
    assert index["recall_at_100"] == pytest.approx((0.5 + 1 + 0) / 3, abs=1e-4)
    assert report["index_plus_ranker"].startswith("no champion")
    saved = json.loads((data_dir.reports_dir / REPORT_FILE).read_text())
    assert saved["index"] == index


@pytest.mark.slow  # imports torch
def test_a_real_ranker_reorders_but_finds_the_same(data_dir):
    index = evaluate(data_dir, ranker=None)["index"]
    from models.ranker.features import FEATURES
    from models.ranker.model import KNOTS, RankerNet, content_columns
    from models.ranker.predict import NetScorer, Ranker

    knots = np.tile(np.linspace(0.0, 1.0, KNOTS), (len(content_columns(FEATURES)), 1))
    fresh = Ranker("fresh", NetScorer(RankerNet(knots)))
    with_ranker = evaluate(data_dir, ranker=fresh, features=None)  # Feast has nothing here
    assert with_ranker["ranker_version"] == "fresh"
    assert with_ranker["index_plus_ranker"]["ranker_fallbacks"] == {"None": 3}
    # Re-ranking reorders what the index found; it neither finds more nor loses any.
    assert with_ranker["index_plus_ranker"]["recall_at_100"] == index["recall_at_100"]
