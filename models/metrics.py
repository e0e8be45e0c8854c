"""Ranking metrics used to compare models on a held-out window (graded gains 2^label - 1)."""

from __future__ import annotations

import numpy as np


def ndcg_at_k(scores: np.ndarray, labels: np.ndarray, k: int = 10) -> float | None:
    """NDCG@k of one list ordered by descending score; None when the list has no relevant item."""
    gains = np.power(2.0, np.asarray(labels, dtype=float)) - 1.0
    ideal = np.sort(gains)[::-1][:k]
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    ideal_dcg = float((ideal * discounts[: len(ideal)]).sum())
    if ideal_dcg <= 0:
        return None
    # Stable sort so ties keep the logged order rather than an arbitrary one.
    order = np.argsort(-np.asarray(scores, dtype=float), kind="stable")[:k]
    return float((gains[order] * discounts[: len(order)]).sum()) / ideal_dcg


def mean_ndcg(lists: list[tuple[np.ndarray, np.ndarray]], k: int = 10) -> float:
    """Mean NDCG@k over (scores, labels) lists that have at least one relevant item."""
    values = [v for scores, labels in lists if (v := ndcg_at_k(scores, labels, k)) is not None]
    return float(np.mean(values)) if values else 0.0


def hit_and_ndcg(rank: int | None, k: int = 10) -> tuple[float, float]:
    """HR@k and NDCG@k for one held-out item at 0-based `rank` (None: not ranked)."""
    if rank is None or rank >= k:
        return 0.0, 0.0
    return 1.0, 1.0 / float(np.log2(rank + 2))
