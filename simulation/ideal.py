"""The ideal search order, a yardstick for tests and benchmarks only: candidates ranked by the
searching shopper's hidden true relevance (`simulation.relevance`), index order within a grade
(the service's sort is stable). No model can see this; it tells which of two rankers is better
without asking the clicks. `sign=-1` gives the worst order.

Rankers see feature rows only: `telling(service, *rankers)` wraps a search service's `search`
so that these rankers learn the query and the shopper first.
"""

from __future__ import annotations

from typing import Any

from simulation.relevance import true_relevance
from simulation.truth import load_truth
from storeloop.settings import Settings


class IdealOrder:
    kind = "neural"

    def __init__(self, settings: Settings, version: str, sign: float = 1.0) -> None:
        self.version, self.sign = version, sign
        self.truth = load_truth(settings)
        self.searching: tuple[str, str | None] = ("", None)

    def score(self, rows: list[dict]) -> list[float]:
        query, customer = self.searching
        shopper = self.truth.shoppers.get(customer or "")
        products = [self.truth.products.get(row["product_id"]) for row in rows]
        return [
            self.sign * (0 if p is None else true_relevance(shopper, p, query)) for p in products
        ]


def telling(service: Any, *rankers: IdealOrder) -> None:
    search = service.search

    def told(query: Any, customer_id: str | None = None, *args: Any, **kwargs: Any) -> Any:
        for ranker in rankers:
            ranker.searching = (str(query), customer_id)
        return search(query, customer_id, *args, **kwargs)

    service.search = told
