"""SASRec mixed with item-kNN: the next item comes from the network's distribution with probability
1 - w, from the co-occurrence neighbours of the last items with probability w.

The two see different things: the network learns order and taste from every sequence, the
neighbours remember exact pairs that the network's 64 dimensions blur for rare items. `w` is
chosen on the validation items (never the test ones) from a fixed grid, so each dataset gets its
own weight without anyone setting it, and w = 0 (the network alone) stays a choice.
"""

from __future__ import annotations

import numpy as np

from models.metrics import full_ranking_ranks, hit_rate_and_ndcg
from models.recommender.protocol import CHUNK, KS, Scorer
from models.recommender.sequence_file import Split

WEIGHTS = (0.0, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
CHOSEN_BY = "ndcg_at_10"


def _distributions(
    model: Scorer, knn: Scorer, histories: list[list[int]]
) -> tuple[np.ndarray, np.ndarray]:
    """(n, n_items) next-item probabilities of the model (softmax of its scores) and of the
    neighbours (their scores normalised per row); item j is column j - 1."""
    logits = np.asarray(model(histories), dtype=np.float64)[:, 1:]
    logits -= logits.max(axis=1, keepdims=True)
    p = np.exp(logits)
    p /= p.sum(axis=1, keepdims=True)
    near = np.maximum(np.asarray(knn(histories), dtype=np.float64)[:, 1:], 0.0)
    totals = near.sum(axis=1, keepdims=True)
    q = np.divide(near, totals, out=np.full_like(near, 1.0 / near.shape[1]), where=totals > 0)
    return p, q


def _log_mixture(p: np.ndarray, q: np.ndarray, weight: float) -> np.ndarray:
    with np.errstate(divide="ignore"):
        mixed = np.log((1.0 - weight) * p + weight * q)
    return np.concatenate([np.full((len(p), 1), -np.inf), mixed], axis=1)


class Blend:
    """A scorer: (histories) -> (n, n_items + 1) log-probabilities of the mixture."""

    def __init__(self, model: Scorer, knn: Scorer, weight: float) -> None:
        self.model, self.knn, self.weight = model, knn, weight

    def __call__(self, histories: list[list[int]]) -> np.ndarray:
        if self.weight == 0.0:
            return np.asarray(self.model(histories))
        return _log_mixture(*_distributions(self.model, self.knn, histories), self.weight)


def choose_weight(
    model: Scorer, knn: Scorer, validation: Split, weights: tuple[float, ...] = WEIGHTS
) -> tuple[float, dict[float, dict[str, float]]]:
    """The weight with the best validation NDCG@10 (ties: the smaller weight), and every
    weight's validation metrics. Each chunk is scored once by both models, then mixed per weight.
    """
    ranks: dict[float, list[np.ndarray]] = {weight: [] for weight in weights}
    for start in range(0, len(validation.targets), CHUNK):
        histories = validation.histories[start : start + CHUNK]
        targets = np.asarray(validation.targets[start : start + CHUNK], dtype=np.int64)
        p, q = _distributions(model, knn, histories)
        for weight in weights:
            # Ranks of the mixture itself (the log the scorer returns keeps the same order).
            mixed = (1.0 - weight) * p + weight * q
            ranks[weight].append(full_ranking_ranks(mixed, targets - 1))
    metrics = {
        weight: hit_rate_and_ndcg(np.concatenate(found) if found else np.zeros(0), KS)
        for weight, found in ranks.items()
    }
    best = max(weights, key=lambda weight: (metrics[weight][CHOSEN_BY], -weight))
    return best, metrics
