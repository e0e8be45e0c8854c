"""The recommender's scoring modules, one shape for all: (n, L) left-padded item ids (0 is
padding) -> (n, n_items + 1) scores, column 0 unused. Baselines are modules too, so one evaluation
path scores every contender and serving can serve whichever wins.

Columns are item ids; the caller masks column 0 and the shopper's own history.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

NEIGHBOURS = 100  # co-occurring items kept per item: the rest never reach a top ten
RECENT = 20  # history items a co-occurrence score reads
RECENT_DECAY = 0.8  # each older item counts this much less than the one after it


def item_counts(sequences: list[list[int]], n_items: int) -> np.ndarray:
    """(n_items + 1,) number of sequences each item occurs in."""
    distinct = [i for items in sequences for i in set(items)]
    return np.bincount(np.asarray(distinct, dtype=np.int64), minlength=n_items + 1)[: n_items + 1]


class PopularityScorer(nn.Module):
    """Everyone gets the same ranking: how many shoppers touched each item (kind `popularity`)."""

    kind = "popularity"
    counts: torch.Tensor

    def __init__(self, counts: np.ndarray) -> None:
        super().__init__()
        self.register_buffer("counts", torch.as_tensor(counts, dtype=torch.float32))

    @classmethod
    def fit(cls, sequences: list[list[int]], n_items: int) -> PopularityScorer:
        return cls(item_counts(sequences, n_items))

    def forward(self, items: torch.Tensor) -> torch.Tensor:
        return self.counts.unsqueeze(0).expand(items.shape[0], -1).clone()


class CoOccurrenceScorer(nn.Module):
    """Item-kNN over co-occurrence (kind `item_knn`): two items touched by the same shopper are
    neighbours, weighted by 1 / their distance in the sequence; a history scores an item by its
    neighbours among the last RECENT items, each older one counting RECENT_DECAY less. A hair of
    popularity orders the items no neighbour reaches. Raw counts, not cosine: on the store's
    validation shoppers the cosine version ranked the next product worse (0.035 against 0.038).
    """

    kind = "item_knn"
    neighbours: torch.Tensor
    weights: torch.Tensor
    prior: torch.Tensor
    decay: torch.Tensor

    def __init__(self, neighbours: np.ndarray, weights: np.ndarray, counts: np.ndarray) -> None:
        super().__init__()
        self.register_buffer("neighbours", torch.as_tensor(neighbours, dtype=torch.long))
        self.register_buffer("weights", torch.as_tensor(weights, dtype=torch.float32))
        prior = counts / max(float(counts.max()), 1.0) * 1e-6
        self.register_buffer("prior", torch.as_tensor(prior, dtype=torch.float32))
        decay = RECENT_DECAY ** np.arange(RECENT - 1, -1, -1, dtype=np.float32)  # oldest first
        self.register_buffer("decay", torch.from_numpy(decay))

    @classmethod
    def fit(
        cls, sequences: list[list[int]], n_items: int, top: int = NEIGHBOURS
    ) -> CoOccurrenceScorer:
        together: dict[int, dict[int, float]] = defaultdict(lambda: defaultdict(float))
        for items in sequences:
            for i, a in enumerate(items):
                for j, b in enumerate(items):
                    if a != b:
                        together[a][b] += 1.0 / abs(i - j)
        neighbours = np.zeros((n_items + 1, top), dtype=np.int64)
        weights = np.zeros((n_items + 1, top), dtype=np.float32)
        for a, others in together.items():
            ranked = sorted(others.items(), key=lambda pair: (-pair[1], pair[0]))[:top]
            neighbours[a, : len(ranked)] = [b for b, _ in ranked]
            weights[a, : len(ranked)] = [w for _, w in ranked]
        return cls(neighbours, weights, item_counts(sequences, n_items))

    def forward(self, items: torch.Tensor) -> torch.Tensor:
        recent = F.pad(items, (RECENT, 0))[:, -RECENT:]  # (n, RECENT), padding is item 0
        weight = self.weights[recent] * (self.decay * (recent > 0)).unsqueeze(-1)
        scores = self.prior.unsqueeze(0).expand(items.shape[0], -1).clone()
        return scores.scatter_add(1, self.neighbours[recent].flatten(1), weight.flatten(1))


class ContentScorer(nn.Module):
    """Products whose titles read like the last few the shopper touched (MiniLM title vectors):
    a kernel exp((cos - 1) / width) over the last RECENT items, each older one counting
    half, times popularity ** `lift`. Shoppers click several results of one search, and those
    share a product type: at a few hundred shoppers this knows more than co-occurrence does."""

    RECENT = 5
    DECAY = 0.5
    vectors: torch.Tensor
    known: torch.Tensor
    prior: torch.Tensor
    decay: torch.Tensor

    def __init__(self, vectors: np.ndarray, counts: np.ndarray, width: float, lift: float) -> None:
        super().__init__()
        self.width, self.lift = float(width), float(lift)
        self.register_buffer("vectors", torch.as_tensor(vectors, dtype=torch.float32))
        known = np.linalg.norm(vectors, axis=1) > 0
        self.register_buffer("known", torch.as_tensor(known, dtype=torch.float32))
        prior = np.power(counts.astype(np.float64) + 1.0, lift)
        self.register_buffer("prior", torch.as_tensor(prior / prior.max(), dtype=torch.float32))
        decay = self.DECAY ** np.arange(self.RECENT - 1, -1, -1, dtype=np.float32)
        self.register_buffer("decay", torch.from_numpy(decay))

    def forward(self, items: torch.Tensor) -> torch.Tensor:
        recent = F.pad(items, (self.RECENT, 0))[:, -self.RECENT :]
        cosines = self.vectors[recent] @ self.vectors.T  # (n, RECENT, n_items + 1)
        kernel = torch.exp((cosines - 1.0) / self.width)
        weight = self.decay * self.known[recent]  # padding and untitled items read nothing
        return (kernel * weight.unsqueeze(-1)).sum(dim=1) * self.prior


def next_item_distribution(scores: torch.Tensor) -> torch.Tensor:
    """(n, n_items + 1) non-negative scores -> (n, n_items) shares of each row (uniform when a
    row has nothing), dropping column 0."""
    scores = scores[:, 1:].clamp_min(0.0)
    totals = scores.sum(dim=1, keepdim=True)
    uniform = torch.full_like(scores, 1.0 / scores.shape[1])
    return torch.where(totals > 0, scores / totals.clamp_min(1e-30), uniform)
