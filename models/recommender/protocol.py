"""Leave-one-out evaluation with full ranking over every item (no sampled negatives), under two
protocols named in every report:

- `seen_removed` (the published one: ICLRec's and BSARec's evaluation code zeroes the score of
  every item in the user's history before ranking): every history item goes, the target too when
  it repeats one (a miss, as there), so no history item is ever ranked;
- `seen_kept`: every item stays in the ranking (this repo's old headline).

Ties: see models.metrics.full_ranking_ranks.
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
SEEN_REMOVED = "seen_removed"
SEEN_KEPT = "seen_kept"
PROTOCOLS = (SEEN_REMOVED, SEEN_KEPT)
NOT_RANKED = np.iinfo(np.int32).max  # the rank of a removed target: past every cut-off


def remove_seen(scores: np.ndarray, histories: list[list[int]]) -> np.ndarray:
    """Sets every history item's score to -inf in place (column j is item j) and returns it."""
    for row, history in enumerate(histories):
        if history:
            scores[row, np.asarray(history, dtype=np.int64)] = -np.inf
    return scores


def target_ranks(scorer: Scorer, split: Split, protocol: str = SEEN_KEPT) -> np.ndarray:
    """0-based rank of every case's target, scored in chunks to bound memory."""
    if protocol not in PROTOCOLS:
        raise ValueError(f"unknown protocol {protocol!r}: one of {PROTOCOLS}")
    ranks = []
    for start in range(0, len(split.targets), CHUNK):
        histories = split.histories[start : start + CHUNK]
        targets = np.asarray(split.targets[start : start + CHUNK], dtype=np.int64)
        scores = np.array(scorer(histories), dtype=np.float32)  # a copy: removal writes
        scores[:, 0] = -np.inf
        ranks.append(ranks_under(protocol, scores, histories, targets))
    return np.concatenate(ranks) if ranks else np.zeros(0, dtype=np.int64)


def ranks_under(
    protocol: str, scores: np.ndarray, histories: list[list[int]], targets: np.ndarray
) -> np.ndarray:
    """0-based target ranks of (n, n_items + 1) scores under `protocol`; `seen_removed` writes
    -inf into `scores`. A target the user already had is then not ranked at all (NOT_RANKED)."""
    if protocol == SEEN_KEPT:
        return full_ranking_ranks(scores, targets)
    remove_seen(scores, histories)
    found = full_ranking_ranks(scores, targets)
    # -inf ties with -inf: a removed target must not win a tie with the other removed items.
    repeated = np.array([t in h for t, h in zip(targets.tolist(), histories, strict=True)], bool)
    return np.where(repeated, NOT_RANKED, found)


def evaluate(scorer: Scorer, split: Split, protocol: str = SEEN_KEPT) -> dict[str, float]:
    """HR@5/10/20 and NDCG@5/10/20 averaged over the split's cases."""
    return hit_rate_and_ndcg(target_ranks(scorer, split, protocol), KS)
