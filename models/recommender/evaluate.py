"""NDCG@10 and HR@10 of each held-out shopper's next new product, ranked among every product the
scorer knows with the shopper's history left out (as recommendations do). One path for every
contender, baselines, the network and a re-scored champion alike; the per-shopper values feed
the gate's paired bootstrap.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from models.metrics import full_ranking_ranks
from models.recommender.model import CHUNK, ProductScorer

K = 10
Case = tuple[str, list[str], str]  # customer, history, the next new product


@dataclass(frozen=True)
class PerShopper:
    """One value per held-out shopper, in the order of the cases."""

    ndcg: np.ndarray
    hit: np.ndarray

    def summary(self, prefix: str = "") -> dict[str, float]:
        return {
            f"{prefix}ndcg_at_{K}": float(self.ndcg.mean()) if len(self.ndcg) else 0.0,
            f"{prefix}hr_at_{K}": float(self.hit.mean()) if len(self.hit) else 0.0,
        }


def per_shopper(scorer: ProductScorer, cases: Sequence[Case], k: int = K) -> PerShopper:
    """A target the scorer does not know (a product newer than the version) is a miss."""
    ranks: list[np.ndarray] = []
    for start in range(0, len(cases), CHUNK):
        chunk = cases[start : start + CHUNK]
        scores = masked_scores(scorer, [history for _, history, _ in chunk])
        targets = np.array([scorer.index.get(target, 0) for _, _, target in chunk])
        found = full_ranking_ranks(scores, targets)
        ranks.append(np.where(targets > 0, found, k))  # column 0 is never a target
    rank = np.concatenate(ranks) if ranks else np.zeros(0, dtype=np.int64)
    hit = rank < k
    return PerShopper(np.where(hit, 1.0 / np.log2(rank + 2.0), 0.0), hit.astype(np.float64))


def masked_scores(scorer: ProductScorer, histories: Sequence[Sequence[str]]) -> np.ndarray:
    """The scorer's scores with column 0 and each history's own products at -inf."""
    scores = scorer.scores(histories)
    if np.isnan(scores).any():
        raise ValueError(f"the {scorer.kind} scorer returned NaN scores")
    for row, history in enumerate(histories):
        scores[row, scorer.encode(history)] = -np.inf
    return scores
