"""NDCG@10 against the simulator's hidden relevance, for evaluation only (never for training):
available when the data dir holds a simulation's truth, else None."""

from __future__ import annotations

import numpy as np

from models.metrics import mean_ndcg
from models.ranker.data import SearchLists
from storeloop.settings import Settings


class HiddenRelevance:
    """Graded true relevance (0..3) of each held-out row, from `simulation.relevance`."""

    def __init__(self, settings: Settings, lists: SearchLists) -> None:
        from simulation.relevance import true_relevance
        from simulation.truth import load_truth

        truth = load_truth(settings)
        self.labels = np.zeros(lists.labels.shape, dtype=np.float32)
        for i, (customer, query, ids) in enumerate(lists.searches):
            shopper = truth.shoppers.get(customer)
            for j, product_id in enumerate(ids):
                product = truth.products.get(product_id)
                if product is not None:
                    self.labels[i, j] = true_relevance(shopper, product, query)
        self.mask = lists.mask

    @classmethod
    def of(cls, settings: Settings, lists: SearchLists) -> HiddenRelevance | None:
        if not (settings.simulation_dir / "truth.json").exists():
            return None
        return cls(settings, lists)

    def ndcg(self, scores: np.ndarray) -> float:
        return mean_ndcg([(scores[i][m], self.labels[i][m]) for i, m in enumerate(self.mask)])
