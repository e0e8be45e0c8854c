"""Fixtures for the simulator against the real store, with a stand-in search engine: keyword
overlap over the store's titles. Legitimate here because the simulator only needs *a* search
callable; the real engine (serving.search) has its own tests.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from simulation.text import parse_query, tokens
from storeloop.settings import Settings


class KeywordSearch:
    """Ranks products by how many query words their title holds (ties by product id).

    Reads the catalog on first use, once the simulator has listed it."""

    def __init__(self, store: Any) -> None:
        self.store = store
        self.titles: dict[str, frozenset[str]] = {}

    def _load(self) -> None:
        cursor = None
        while True:
            page = self.store.catalog.list_products(cursor=cursor, limit=500)
            for product in page.items:
                self.titles[product.product_id] = frozenset(tokens(product.title))
            if page.next_cursor is None:
                return
            cursor = page.next_cursor

    def __call__(self, query: str, customer_id: str | None, limit: int = 20) -> dict[str, Any]:
        if not self.titles:
            self._load()
        words = parse_query(query).words
        scored = [(sum(w in title for w in words), pid) for pid, title in self.titles.items()]
        hits = sorted((s for s in scored if s[0] > 0), key=lambda s: (-s[0], s[1]))[:limit]
        results = [
            {"product_id": pid, "position": i + 1, "score": float(score)}
            for i, (score, pid) in enumerate(hits)
        ]
        return {"results": results, "ranker": "keyword-test"}


@pytest.fixture
def tiny_settings(tmp_path: Path) -> Settings:
    settings = Settings(data_dir=tmp_path, sim_products=200, sim_shoppers=20, sim_days=2, seed=11)
    settings.ensure_dirs()
    return settings


@pytest.fixture
def open_store() -> Iterator[Callable[[Settings], tuple[Any, KeywordSearch]]]:
    """Opens a fresh real store on a simulated clock, with the stand-in search over it."""
    from simulation.run import SIMULATION_START
    from transactional.bootstrap import bootstrap
    from transactional.common.clock import SimulatedClock

    opened = []

    def _open(settings: Settings) -> tuple[Any, KeywordSearch]:
        store = bootstrap(settings, clock=SimulatedClock(SIMULATION_START))
        opened.append(store)
        return store, KeywordSearch(store)

    yield _open
    for store in opened:
        store.close()
