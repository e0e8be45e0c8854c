"""Baselines scored under the same protocol: most popular, item-kNN (cosine over co-occurrence,
from the last items of the sequence), the store's co-occurrence item-kNN and `implicit`'s ALS
matrix factorisation (CPU)."""

from __future__ import annotations

import numpy as np
import torch
from scipy import sparse

from models.recommender.model import pad
from models.recommender.scorers import CoOccurrenceScorer

KNN_RECENT_WEIGHTS = (1.0, 0.5, 0.25)  # last item counts most; the two before it break ties


def interaction_matrix(sequences: list[list[int]], n_items: int) -> sparse.csr_matrix:
    """Binary (users, n_items + 1) matrix: did the user touch the item (column 0 unused)."""
    rows = np.repeat(np.arange(len(sequences)), [len(s) for s in sequences])
    columns = np.fromiter((i for s in sequences for i in s), dtype=np.int64, count=len(rows))
    matrix = sparse.csr_matrix(
        (np.ones(len(rows), dtype=np.float32), (rows, columns)),
        shape=(len(sequences), n_items + 1),
    )
    matrix.data[:] = 1.0  # duplicates summed by the constructor: presence, not counts
    return matrix


class MostPopular:
    """Interaction counts over `sequences`; every shopper gets the same ranking."""

    def __init__(self, sequences: list[list[int]], n_items: int) -> None:
        counts = np.bincount([i for s in sequences for i in s], minlength=n_items + 1)
        self.counts = counts.astype(np.float32)

    def __call__(self, histories: list[list[int]]) -> np.ndarray:
        return np.tile(self.counts, (len(histories), 1))


class ItemKNN:
    """Item-item cosine over co-occurrence in the same shoppers' sequences; a history scores an
    item by its similarity to the last few items. A hair of popularity orders the items no
    neighbour reaches, instead of leaving them to the tie-break."""

    def __init__(self, sequences: list[list[int]], n_items: int) -> None:
        matrix = interaction_matrix(sequences, n_items)
        counts = np.asarray(matrix.sum(axis=0)).ravel()
        norms = np.sqrt(np.maximum(counts, 1.0))
        cooccurrence = (matrix.T @ matrix).tocsr().astype(np.float32)
        cooccurrence.setdiag(0.0)  # an item is not its own neighbour
        cooccurrence.eliminate_zeros()
        scale = sparse.diags((1.0 / norms).astype(np.float32))
        self.similarity = (scale @ cooccurrence @ scale).tocsr()
        self.prior = (counts / max(counts.max(), 1.0) * 1e-6).astype(np.float32)

    def __call__(self, histories: list[list[int]]) -> np.ndarray:
        rows, columns, weights = [], [], []
        for row, history in enumerate(histories):
            for weight, item in zip(KNN_RECENT_WEIGHTS, reversed(history), strict=False):
                rows.append(row)
                columns.append(item)
                weights.append(weight)
        recent = sparse.csr_matrix(
            (np.asarray(weights, dtype=np.float32), (rows, columns)),
            shape=(len(histories), self.similarity.shape[0]),
        )
        return (recent @ self.similarity).toarray() + self.prior


class ALS:
    """`implicit`'s CPU alternating least squares; a shopper's vector is recomputed from the
    history given, so the same model scores validation and test inputs."""

    def __init__(self, sequences: list[list[int]], n_items: int, seed: int, threads: int) -> None:
        from implicit.cpu.als import AlternatingLeastSquares
        from threadpoolctl import threadpool_limits

        self.n_items = n_items
        # implicit runs its own threads; a BLAS pool inside each of them oversubscribes the CPU.
        with threadpool_limits(1, "blas"):
            self.model = AlternatingLeastSquares(
                factors=64, regularization=0.05, alpha=1.0, iterations=15,
                random_state=seed, num_threads=threads,
            )  # fmt: skip
            self.model.fit(interaction_matrix(sequences, n_items), show_progress=False)

    def __call__(self, histories: list[list[int]]) -> np.ndarray:
        user_items = interaction_matrix(histories, self.n_items)
        users = np.arange(len(histories))
        vectors = self.model.recalculate_user(users, user_items)
        return np.asarray(vectors @ self.model.item_factors.T, dtype=np.float32)


class StoreItemKNN:
    """The store's co-occurrence scorer (models.recommender.scorers.CoOccurrenceScorer: pairs
    weighted by 1 / their distance, the last 20 items with a decay) in the benchmark's shape."""

    def __init__(self, sequences: list[list[int]], n_items: int) -> None:
        self.module = CoOccurrenceScorer.fit(sequences, n_items)

    def __call__(self, histories: list[list[int]]) -> np.ndarray:
        with torch.no_grad():
            return self.module(pad(histories)).numpy()
