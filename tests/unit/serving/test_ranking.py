import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from serving.search.ranking import rank_candidates

CANDIDATES = [
    {"product_id": f"p-{n}", "score": 10.0 - n, "title": "t", "brand": "b", "category": "c",
     "price": 10.0 + n, "rating": 4.0, "stock": 1}
    for n in range(4)
]  # fmt: skip


class CheapestFirst:
    version = "7"

    def score(self, rows):
        return [-row["price"] for row in rows]


class Broken:
    version = "8"

    def score(self, rows):
        raise RuntimeError("model file vanished")


class Slow:
    version = "9"

    def score(self, rows):
        time.sleep(1.0)
        return [0.0] * len(rows)


@pytest.fixture
def executor():
    with ThreadPoolExecutor(max_workers=2) as pool:
        yield pool


def ids(outcome):
    return [c["product_id"] for c in outcome.candidates]


def test_ranker_reorders_the_top_candidates_only(executor):
    reversed_prices = [{**c, "price": 100.0 - c["price"]} for c in CANDIDATES]
    outcome = rank_candidates(reversed_prices, CheapestFirst(), executor, top_n=3)
    assert outcome.ranker == "7" and outcome.fallback is None
    assert ids(outcome) == ["p-2", "p-1", "p-0", "p-3"]


@pytest.mark.parametrize(
    ("ranker", "reason"),
    [(None, "no_ranker"), (Broken(), "ranker_error:RuntimeError"), (Slow(), "over_budget")],
)
def test_fallback_keeps_index_order_and_says_why(executor, ranker, reason):
    started = time.perf_counter()
    outcome = rank_candidates(CANDIDATES, ranker, executor, budget_s=0.1)
    assert time.perf_counter() - started < 0.5
    assert outcome.ranker == "index"
    assert outcome.fallback == reason
    assert ids(outcome) == ["p-0", "p-1", "p-2", "p-3"]


class IndexChampion:
    """Index order registered as the champion: serving keeps the index order, never scores."""

    version, kind = "12", "index"

    def score(self, rows):
        raise AssertionError("an index-order champion is never run")


def test_an_index_order_champion_keeps_the_order_and_is_named(executor):
    outcome = rank_candidates(CANDIDATES, IndexChampion(), executor)
    assert ids(outcome) == ["p-0", "p-1", "p-2", "p-3"]
    assert outcome.ranker == "12" and outcome.fallback is None
