"""Ranking metrics for held-out windows (graded gains 2^label - 1), naive and counterfactual."""

from __future__ import annotations

import numpy as np


def ndcg_at_k(scores: np.ndarray, labels: np.ndarray, k: int = 10) -> float | None:
    """NDCG@k of one list ordered by descending score; None when the list has no relevant item."""
    gains = np.power(2.0, np.asarray(labels, dtype=float)) - 1.0
    return _weighted_ndcg(scores, gains, k)


def mean_ndcg(lists: list[tuple[np.ndarray, np.ndarray]], k: int = 10) -> float:
    """Mean NDCG@k over (scores, labels) lists that have at least one relevant item."""
    values = [v for scores, labels in lists if (v := ndcg_at_k(scores, labels, k)) is not None]
    return float(np.mean(values)) if values else 0.0


def hit_and_ndcg(rank: int | None, k: int = 10) -> tuple[float, float]:
    """HR@k and NDCG@k for one held-out item at 0-based `rank` (None: not ranked)."""
    if rank is None or rank >= k:
        return 0.0, 0.0
    return 1.0, 1.0 / float(np.log2(rank + 2))


# Examination propensity of logged position k: k ** -0.8 (the usual click-model fit), shared by
# the ranker's training weights and its counterfactual evaluation.
PROPENSITY_ETA = 0.8
MAX_IPW = 10.0  # clip inverse propensities so one lucky deep click does not dominate


def inverse_propensity(positions: np.ndarray) -> np.ndarray:
    """1 / P(examine) for 1-based logged positions, clipped at MAX_IPW."""
    positions = np.maximum(np.asarray(positions, dtype=float), 1.0)
    return np.minimum(positions**PROPENSITY_ETA, MAX_IPW)


def ips_ndcg_at_k(
    scores: np.ndarray, labels: np.ndarray, positions: np.ndarray, k: int = 10
) -> float | None:
    """Counterfactual NDCG@k of one logged list: each gain is divided by the examination
    propensity of its logged position, so the logging policy's position bias is not rewarded."""
    labels = np.asarray(labels, dtype=float)
    weights = inverse_propensity(positions)
    return _weighted_ndcg(scores, (np.power(2.0, labels) - 1.0) * weights, k)


def _weighted_ndcg(scores: np.ndarray, gains: np.ndarray, k: int) -> float | None:
    ideal = np.sort(gains)[::-1][:k]
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    ideal_dcg = float((ideal * discounts[: len(ideal)]).sum())
    if ideal_dcg <= 0:
        return None
    # Stable sort so ties keep the logged order rather than an arbitrary one.
    order = np.argsort(-np.asarray(scores, dtype=float), kind="stable")[:k]
    return float((gains[order] * discounts[: len(order)]).sum()) / ideal_dcg


def mean_ips_ndcg(lists: list[tuple[np.ndarray, np.ndarray, np.ndarray]], k: int = 10) -> float:
    """Mean IPS-NDCG@k over (scores, labels, logged positions) lists with a relevant item."""
    values = [
        v
        for s, labels, positions in lists
        if (v := ips_ndcg_at_k(s, labels, positions, k)) is not None
    ]
    return float(np.mean(values)) if values else 0.0
