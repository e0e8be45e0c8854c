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


# Examination propensity of logged position k: k ** -0.8 (the usual click-model fit), the prior
# the ranker's counterfactual evaluation uses until randomised swaps have measured it.
PROPENSITY_ETA = 0.8
MAX_IPW = 10.0  # clip inverse propensities so one lucky deep click does not dominate


def inverse_propensity(positions: np.ndarray, eta: float = PROPENSITY_ETA) -> np.ndarray:
    """1 / P(examine) = k ** eta for 1-based logged positions k, clipped at MAX_IPW."""
    positions = np.maximum(np.asarray(positions, dtype=float), 1.0)
    return np.minimum(positions**eta, MAX_IPW)


def ips_ndcg_at_k(
    scores: np.ndarray,
    labels: np.ndarray,
    positions: np.ndarray,
    k: int = 10,
    eta: float = PROPENSITY_ETA,
) -> float | None:
    """Counterfactual NDCG@k of one logged list: each gain is divided by the examination
    propensity of its logged position, so the logging policy's position bias is not rewarded."""
    labels = np.asarray(labels, dtype=float)
    weights = inverse_propensity(positions, eta)
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


def ips_ndcg_per_list(
    lists: list[tuple[np.ndarray, np.ndarray, np.ndarray]], k: int = 10, eta: float = PROPENSITY_ETA
) -> np.ndarray:
    """IPS-NDCG@k of each (scores, labels, logged positions) list with a relevant item; which
    lists those are depends on the labels only, so two scorers' values pair up list by list."""
    values = [
        v
        for s, labels, positions in lists
        if (v := ips_ndcg_at_k(s, labels, positions, k, eta)) is not None
    ]
    return np.asarray(values, dtype=np.float64)


def mean_ips_ndcg(
    lists: list[tuple[np.ndarray, np.ndarray, np.ndarray]], k: int = 10, eta: float = PROPENSITY_ETA
) -> float:
    """Mean IPS-NDCG@k over (scores, labels, logged positions) lists with a relevant item."""
    values = ips_ndcg_per_list(lists, k, eta=eta)
    return float(values.mean()) if len(values) else 0.0


def full_ranking_ranks(scores: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """0-based rank of each row's target among all columns of `scores` (one row per case).

    Ties are broken deterministically: an item with the same score ranks above the target only
    when its column index is lower, as a stable sort by descending score would place it.
    """
    scores = np.asarray(scores)
    targets = np.asarray(targets, dtype=np.int64)
    target_scores = scores[np.arange(len(targets)), targets][:, None]
    above = (scores > target_scores).sum(axis=1)
    columns = np.arange(scores.shape[1])[None, :]
    tied_before = ((scores == target_scores) & (columns < targets[:, None])).sum(axis=1)
    return (above + tied_before).astype(np.int64)


def hit_rate_and_ndcg(ranks: np.ndarray, ks: tuple[int, ...] = (5, 10, 20)) -> dict[str, float]:
    """Mean HR@k and NDCG@k (one relevant item, so IDCG = 1) from 0-based target ranks."""
    ranks = np.asarray(ranks, dtype=float)
    metrics: dict[str, float] = {}
    for k in ks:
        hit = ranks < k
        metrics[f"hr_at_{k}"] = float(hit.mean()) if len(ranks) else 0.0
        gain = np.where(hit, 1.0 / np.log2(ranks + 2.0), 0.0)
        metrics[f"ndcg_at_{k}"] = float(gain.mean()) if len(ranks) else 0.0
    return metrics
