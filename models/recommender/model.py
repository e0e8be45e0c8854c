"""The store's recommender: the benchmark's SASRec (models.recommender.sasrec) over product ids,
carrying what serving needs in one saved object: vocabulary, popularity, histories, also-bought.

A product's vector is its own plus its category's (SASRec's shelves), so a product nobody touched
in the training window still scores through its category instead of at random.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from models.recommender.baselines import ItemKNN
from models.recommender.blend import Blend
from models.recommender.sasrec import SASRec, SASRecConfig

SCHEMA = 3  # 3: the shared SASRec; champions before it can't rescore and count as popularity


class RecommenderNet(nn.Module):
    """Product i of `item_ids` is SASRec item i + 1 (0 is padding)."""

    def __init__(
        self,
        item_ids: list[str],
        popularity: dict[str, float],
        categories: dict[str, str] | None = None,
        config: SASRecConfig | None = None,
    ) -> None:
        super().__init__()
        self.schema = SCHEMA
        self.item_ids = list(item_ids)
        self.index = {p: i + 1 for i, p in enumerate(self.item_ids)}
        self.popularity = dict(popularity)
        self.histories: dict[str, list[str]] = {}
        self.purchased: dict[str, set[str]] = {}
        self.also_bought: dict[str, list[tuple[str, float]]] = {}
        categories = categories or {}
        names = sorted({categories.get(p, "") for p in self.item_ids})
        self.shelves = [0] + [1 + names.index(categories.get(p, "")) for p in self.item_ids]
        self.sasrec = SASRec(len(self.item_ids), config or SASRecConfig(), self.shelves)
        # Item-kNN over the training sequences and its share of the mixture (0: the network
        # alone), chosen on validation by `fit`.
        self.knn: ItemKNN | None = None
        self.knn_weight = 0.0

    @property
    def max_len(self) -> int:
        return self.sasrec.config.max_len

    def encode(self, history: list[str]) -> list[int]:
        """SASRec item ids of the known products of a history (unknown ones are skipped)."""
        return [self.index[p] for p in history if p in self.index]

    def next_item_scores(self, histories: list[list[str]]) -> np.ndarray:
        """(n, items+1) log-scores for the product after each history; column 0 is -inf. With
        neighbours and a weight (see models.recommender.blend), the network's distribution
        mixed with theirs."""
        encoded = [self.encode(h) for h in histories]
        weight, knn = getattr(self, "knn_weight", 0.0), getattr(self, "knn", None)
        if weight and knn is not None:
            return np.asarray(Blend(self.network_scores, knn, weight)(encoded))
        return self.network_scores(encoded)

    def network_scores(self, encoded: list[list[int]]) -> np.ndarray:
        with torch.no_grad():
            return self.sasrec.score(encoded).numpy()

    def forward(self, items: torch.Tensor) -> torch.Tensor:
        """(n, L) left-padded item ids -> (n, items) logits after the last step (MLflow's view)."""
        return self.sasrec.catalog_logits(self.sasrec.hidden_states(items)[:, -1, :])
