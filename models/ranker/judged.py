"""What an order of the held-out rows is worth by the simulator's hidden truth, for evaluation
only (never for training), when the data dir holds a simulation's truth (else None): NDCG@10
against the graded relevance, and the expected cart value of a search, where the simulator's
cascade (`simulation.browsing`) reads the rows in that order. Cart value is what search ranking
can move revenue by: it says how far any order of the same rows, the ideal one included, could
lift it."""

from __future__ import annotations

import numpy as np

from models.metrics import mean_ndcg
from models.ranker.data import SearchLists
from storeloop.settings import Settings


class HiddenRelevance:
    """Graded true relevance (0..3) of each held-out row, from `simulation.relevance`, and what
    the shopper would expect to gain from it (`utility`) and spend on it."""

    def __init__(self, settings: Settings, lists: SearchLists) -> None:
        from simulation.relevance import true_relevance, utility
        from simulation.shop import expected_quantity
        from simulation.surfaces import UNKNOWN_PRODUCT_UTILITY
        from simulation.truth import load_truth

        truth = load_truth(settings)
        self.labels = np.zeros(lists.labels.shape, dtype=np.float32)
        self.utilities = np.full(lists.labels.shape, UNKNOWN_PRODUCT_UTILITY)
        self.spend = np.zeros(lists.labels.shape)
        for i, (customer, query, ids) in enumerate(lists.searches):
            shopper = truth.shoppers.get(customer)
            for j, product_id in enumerate(ids):
                product = truth.products.get(product_id)
                if product is not None:
                    self.labels[i, j] = true_relevance(shopper, product, query)
                    price = float(product.price)
                    self.spend[i, j] = price * expected_quantity(price)
                    if shopper is not None:
                        self.utilities[i, j] = utility(shopper, product, query)
        self.mask = lists.mask

    @classmethod
    def of(cls, settings: Settings, lists: SearchLists) -> HiddenRelevance | None:
        if not (settings.simulation_dir / "truth.json").exists():
            return None
        return cls(settings, lists)

    def ndcg(self, scores: np.ndarray) -> float:
        return mean_ndcg([(scores[i][m], self.labels[i][m]) for i, m in enumerate(self.mask)])

    def cart_value(self, scores: np.ndarray) -> float:
        """Expected cart value per search (currency units) with each list read in the order of
        `scores`, highest first; ties keep the rows' logged order."""
        from simulation.browsing import expected_adds

        total = 0.0
        for i, m in enumerate(self.mask):
            order = np.argsort(-scores[i][m], kind="stable")
            grades = self.labels[i][m][order].astype(int).tolist()
            chances = expected_adds(grades, self.utilities[i][m][order].tolist())
            total += float(np.dot(chances, self.spend[i][m][order]))
        return total / max(len(self.mask), 1)

    def expected_value(self) -> np.ndarray:
        """Each row's true expected value if looked at: its cart chance as the only row of a list,
        times spend."""
        from simulation.browsing import expected_adds

        alone = np.vectorize(lambda grade, utility: expected_adds([grade], [utility])[0])
        return alone(self.labels.astype(int), self.utilities) * self.spend

    def ideal(self) -> np.ndarray:
        """Scores of the ideal order: by true relevance (the yardstick's own headroom)."""
        return self.labels
