"""SASRec mixed with item-kNN scorers: the next item comes from the network's distribution with
share s0, from each neighbour scorer's with share s1, s2, ...

The two see different things: the network learns order and taste from every sequence, the
neighbours remember exact pairs that the network's 64 dimensions blur for rare items. A neighbour
scorer is a model of the next *new* item: its mass on items the shopper already has is dropped
before it is normalised, so it never spends its share on what the published protocol removes
(the network's own repeat mixture says how likely a repeat is). The shares are chosen on the
validation items (never the test ones) from a fixed grid, under the protocol the headline
reports (seen items removed), so each dataset gets its own shares without anyone setting them;
every part alone stays on the grid, so on validation the mixture is never behind its parts.
"""

from __future__ import annotations

import itertools

import numpy as np

from models.metrics import hit_rate_and_ndcg
from models.recommender.protocol import CHUNK, KS, SEEN_REMOVED, Scorer, ranks_under
from models.recommender.sequence_file import Split

STEP = 0.1
CHOSEN_BY = "ndcg_at_10"
CHOSEN_UNDER = SEEN_REMOVED
Shares = tuple[float, ...]


def share_grid(parts: int, step: float = STEP) -> list[Shares]:
    """Every split of 1 into `parts` shares on the step's grid; the first part alone comes first,
    so a tie keeps the network alone."""
    steps = round(1 / step)
    grid = []
    for rest in itertools.product(range(steps + 1), repeat=parts - 1):
        if sum(rest) <= steps:
            grid.append(((steps - sum(rest)) / steps, *(r / steps for r in rest)))
    return grid


def _distributions(
    model: Scorer, neighbours: list[Scorer], histories: list[list[int]]
) -> list[np.ndarray]:
    """(n, n_items) next-item probabilities: the model's (softmax of its scores), then each
    neighbour scorer's over the items not in the history (its scores normalised per row, uniform
    where it reaches none); item j is column j - 1."""
    logits = np.asarray(model(histories), dtype=np.float64)[:, 1:]
    logits -= logits.max(axis=1, keepdims=True)
    p = np.exp(logits)
    p /= p.sum(axis=1, keepdims=True)
    out = [p.astype(np.float32)]
    for scorer in neighbours:
        near = np.maximum(np.asarray(scorer(histories), dtype=np.float64)[:, 1:], 0.0)
        for row, history in enumerate(histories):
            near[row, np.asarray(history, dtype=np.int64) - 1] = 0.0
        totals = near.sum(axis=1, keepdims=True)
        uniform = np.full_like(near, 1.0 / near.shape[1])
        out.append(np.divide(near, totals, out=uniform, where=totals > 0).astype(np.float32))
    return out


def _mix(parts: list[np.ndarray], shares: Shares, out: np.ndarray) -> np.ndarray:
    """Writes the mixture into `out` (n, n_items), without a temporary per part."""
    np.multiply(parts[0], shares[0], out=out)
    for part, share in zip(parts[1:], shares[1:], strict=True):
        if share:
            out += share * part
    return out


class Blend:
    """A scorer: (histories) -> (n, n_items + 1) log-probabilities of the mixture."""

    def __init__(self, model: Scorer, neighbours: list[Scorer], shares: Shares) -> None:
        if len(shares) != 1 + len(neighbours):
            raise ValueError("one share for the model and one per neighbour scorer")
        self.model, self.neighbours, self.shares = model, neighbours, shares

    def __call__(self, histories: list[list[int]]) -> np.ndarray:
        if self.shares[0] == 1.0:
            return np.asarray(self.model(histories))
        parts = _distributions(self.model, self.neighbours, histories)
        mixed = _mix(parts, self.shares, np.empty_like(parts[0]))
        with np.errstate(divide="ignore"):
            logs = np.log(mixed.astype(np.float64))
        return np.concatenate([np.full((len(logs), 1), -np.inf), logs], axis=1)


def choose_shares(
    model: Scorer, neighbours: list[Scorer], validation: Split, step: float = STEP
) -> tuple[Shares, dict[Shares, dict[str, float]]]:
    """The shares with the best validation NDCG@10 with seen items removed (ties: the earlier
    grid point), and every grid point's validation metrics. Each chunk is scored once by every
    part, then mixed per grid point."""
    grid = share_grid(1 + len(neighbours), step)
    ranks: dict[Shares, list[np.ndarray]] = {shares: [] for shares in grid}
    for start in range(0, len(validation.targets), CHUNK):
        histories = validation.histories[start : start + CHUNK]
        targets = np.asarray(validation.targets[start : start + CHUNK], dtype=np.int64)
        parts = _distributions(model, neighbours, histories)
        scores = np.empty((len(targets), parts[0].shape[1] + 1), dtype=np.float32)
        for shares in grid:
            scores[:, 0] = -np.inf
            _mix(parts, shares, scores[:, 1:])
            ranks[shares].append(ranks_under(CHOSEN_UNDER, scores, histories, targets))
    metrics = {
        shares: hit_rate_and_ndcg(np.concatenate(found) if found else np.zeros(0), KS)
        for shares, found in ranks.items()
    }
    best = max(grid, key=lambda shares: (metrics[shares][CHOSEN_BY], -grid.index(shares)))
    return best, metrics
