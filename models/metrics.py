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


def dcg_per_list(
    scores: np.ndarray, gains: np.ndarray, mask: np.ndarray, k: int = 10
) -> np.ndarray:
    """DCG@k of each padded list (s, n) ordered by `scores`, over per-row `gains`, for the lists
    with a positive gain; which lists those are depends on the gains only, so two scorers'
    values pair up list by list. Ties keep the shown order."""
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    values = []
    for row_scores, row_gains, shown in zip(scores, gains, mask, strict=True):
        found = row_gains[shown]
        if found.max(initial=0.0) <= 0:
            continue
        order = np.argsort(-np.asarray(row_scores[shown], dtype=float), kind="stable")[:k]
        values.append(float((found[order] * discounts[: len(order)]).sum()))
    return np.asarray(values, dtype=np.float64)


def _weighted_ndcg(scores: np.ndarray, gains: np.ndarray, k: int) -> float | None:
    ideal = np.sort(gains)[::-1][:k]
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    ideal_dcg = float((ideal * discounts[: len(ideal)]).sum())
    if ideal_dcg <= 0:
        return None
    # Stable sort so ties keep the logged order rather than an arbitrary one.
    order = np.argsort(-np.asarray(scores, dtype=float), kind="stable")[:k]
    return float((gains[order] * discounts[: len(order)]).sum()) / ideal_dcg


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
