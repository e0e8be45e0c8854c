"""Behaviour of a small trained ranker as serving uses it: typos, stock twins, price filters."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from models.ranker.embeddings import TitleEmbeddings, load_encoder
from models.ranker.predict import load_champion_ranker
from models.ranker.train import train_ranker
from serving.search.ranking import rank_candidates

pytestmark = pytest.mark.slow

TITLES = [
    "Acme Trail Running Shoes",
    "Globex Leather Hiking Boots",
    "Initech Running Socks Pack",
    "Hooli Garden Hose 50 ft",
    "Umbrella Stainless Kitchen Knife Set",
    "Acme Road Running Shoes for Women",
    "Globex Yoga Mat",
    "Hooli Running Shorts",
    "Initech Cast Iron Skillet",
    "Umbrella Kids Running Shoes",
]


def candidate(i: int, title: str, price: float = 40.0, stock: int = 5) -> dict:
    return {
        "product_id": f"p-{i:06d}",
        "title": title,
        "brand": title.split()[0].lower(),
        "category": "sports" if "Run" in title else "home",
        "price": price,
        "rating": 3.0 + (i % 3) * 0.5,
        "stock": stock,
        "score": 10.0 - 0.5 * i,
    }


@pytest.fixture(scope="module")
def ranker(lake_settings):
    embeddings = TitleEmbeddings(load_encoder())
    train_ranker(lake_settings, embeddings=embeddings)
    loaded = load_champion_ranker(lake_settings)
    assert loaded is not None and loaded.embeddings is not None
    return loaded


@pytest.fixture(scope="module")
def executor():
    with ThreadPoolExecutor(max_workers=1) as pool:
        yield pool


def ranked(ranker, executor, candidates, query, customer=None) -> list[str]:
    outcome = rank_candidates(
        candidates, ranker, executor, {}, customer, top_n=100, budget_s=30.0, query=query
    )
    assert outcome.fallback is None  # the model did the ordering, not the fallback
    return [c["product_id"] for c in outcome.candidates]


def test_a_typo_barely_moves_the_top_results(ranker, executor):
    candidates = [candidate(i, title) for i, title in enumerate(TITLES)]
    clean = ranked(ranker, executor, candidates, "running shoes")
    typo = ranked(ranker, executor, candidates, "runnign shoes")
    assert clean[0] == typo[0]
    assert len(set(clean[:5]) & set(typo[:5])) >= 4


def test_an_out_of_stock_item_never_ranks_above_its_in_stock_twin(ranker, executor):
    for i, title in enumerate(TITLES):
        # The twin that is gone has the better index score and the same everything else.
        gone = candidate(100 + i, title, stock=0) | {"score": 20.0}
        there = candidate(200 + i, title, stock=3) | {"score": 1.0}
        others = [candidate(j, t) for j, t in enumerate(TITLES) if j != i]
        order = ranked(ranker, executor, [gone, *others, there], title.lower())
        assert order.index(there["product_id"]) < order.index(gone["product_id"])


def test_a_price_filter_is_never_violated(ranker, executor):
    # The index applies "under $30"; the ranker may only reorder what it was given.
    cap = 30.0
    pool = [candidate(i, t, price=10.0 + 7.0 * i) for i, t in enumerate(TITLES)]
    allowed = [c for c in pool if c["price"] <= cap]
    order = ranked(ranker, executor, allowed, "running shoes under 30")
    prices = {c["product_id"]: c["price"] for c in pool}
    assert sorted(order) == sorted(c["product_id"] for c in allowed)
    assert all(prices[p] <= cap for p in order)
