"""Ranker hook: re-ranks the top candidates within a time budget, else keeps index order.

Whatever the model says, an out-of-stock candidate never ranks above an in-stock one.
"""

from __future__ import annotations

import logging
from concurrent.futures import Executor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import Any, Protocol

log = logging.getLogger(__name__)
INDEX_ORDER = "index"


class Ranker(Protocol):
    version: str

    def score(self, rows: list[dict]) -> list[float]: ...


@dataclass(frozen=True)
class RankOutcome:
    candidates: list[dict[str, Any]]
    ranker: str  # the model version that ordered the results, or "index"
    fallback: str | None = None  # why the index order was kept


def reorders(ranker: Ranker | None) -> bool:
    """Whether `ranker` reorders what the index found, and so reads candidates beyond the page
    and their features: not an index order that won the gate (kinds: neural, lightgbm, index)."""
    return ranker is not None and getattr(ranker, "kind", None) != INDEX_ORDER


def rank_candidates(
    candidates: list[dict[str, Any]],
    ranker: Ranker | None,
    executor: Executor,
    product_features: dict[str, dict] | None = None,
    shopper: Any = None,  # models.ranker.features.ShopperProfile of the searching shopper
    top_n: int = 50,
    budget_s: float = 0.2,
    query: str = "",
) -> RankOutcome:
    if ranker is None:
        return RankOutcome(candidates, INDEX_ORDER, "no_ranker")
    if not reorders(ranker):
        # Index order won the gate: the champion is the order the index gave, named by version.
        return RankOutcome(candidates, str(ranker.version))
    if not candidates:
        return RankOutcome(candidates, str(ranker.version))
    head, tail = candidates[:top_n], candidates[top_n:]
    try:
        from models.ranker.features import rows_for
    except ImportError:
        return RankOutcome(candidates, INDEX_ORDER, "features_unavailable")
    # The ranker runs in a worker so a slow model costs the request its budget, never more.
    embeddings = getattr(ranker, "embeddings", None)  # query-to-title similarity, if any
    future = executor.submit(
        lambda: ranker.score(rows_for(head, product_features or {}, shopper, query, embeddings))
    )
    try:
        scores = list(future.result(timeout=budget_s))
    except FutureTimeout:
        future.cancel()
        return RankOutcome(candidates, INDEX_ORDER, "over_budget")
    except Exception as error:  # any model failure degrades to index order, by design
        log.warning("ranker %s failed: %r", getattr(ranker, "version", "?"), error)
        return RankOutcome(candidates, INDEX_ORDER, f"ranker_error:{type(error).__name__}")
    if len(scores) != len(head):
        return RankOutcome(candidates, INDEX_ORDER, "ranker_error:score_count")
    # Stock first (a shopper cannot buy what is gone), then score; stable for ties.
    order = sorted(range(len(head)), key=lambda i: (not in_stock(head[i]), -float(scores[i])))
    return RankOutcome([head[i] for i in order] + tail, str(ranker.version))


def in_stock(candidate: dict[str, Any]) -> bool:
    stock = candidate.get("stock")
    return stock is None or stock > 0  # unknown stock is not held against a product
