"""Leave-one-out evaluation with full ranking over every item (no sampled negatives).

The headline keeps items the shopper already interacted with in the ranking, as the published
protocol does; the filtered variant removes them (except the target itself, so a repeat
purchase is not scored as an impossible miss). Ties: see models.metrics.full_ranking_ranks.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from models.metrics import full_ranking_ranks, hit_rate_and_ndcg
from models.recommender.sequence_file import Split

# (histories) -> (n, n_items + 1) scores; column 0 is padding and must never win.
Scorer = Callable[[list[list[int]]], np.ndarray]
KS = (5, 10, 20)
CHUNK = 1024


def target_ranks(scorer: Scorer, split: Split, *, filtered: bool = False) -> np.ndarray:
    """0-based rank of every case's target, scored in chunks to bound memory."""
    ranks = []
    for start in range(0, len(split.targets), CHUNK):
        histories = split.histories[start : start + CHUNK]
        targets = np.asarray(split.targets[start : start + CHUNK], dtype=np.int64)
        scores = np.array(scorer(histories), dtype=np.float32)  # a copy: filtering writes
        scores[:, 0] = -np.inf
        if filtered:
            for row, (history, target) in enumerate(zip(histories, targets, strict=True)):
                seen = [item for item in set(history) if item != target]
                scores[row, seen] = -np.inf
        ranks.append(full_ranking_ranks(scores, targets))
    return np.concatenate(ranks) if ranks else np.zeros(0, dtype=np.int64)


def evaluate(scorer: Scorer, split: Split, *, filtered: bool = False) -> dict[str, float]:
    """HR@5/10/20 and NDCG@5/10/20 averaged over the split's cases."""
    return hit_rate_and_ndcg(target_ranks(scorer, split, filtered=filtered), KS)
