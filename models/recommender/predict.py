"""Loads the `champion` recommender for serving; unknown customers and products get popularity."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from itertools import islice

import numpy as np

from models.recommender.model import SCHEMA, RecommenderNet
from models.registry import champion_version
from models.tracking import mlflow_client
from storeloop.settings import Settings

MODEL_NAME = "recommender"
log = logging.getLogger(__name__)


class Recommender:
    """A loaded recommender version; `recommend` and `similar` never raise for unknown ids."""

    def __init__(self, version: str, net: RecommenderNet) -> None:
        self.version = version
        self._net = net.eval()

    def recommend(
        self, customer_id: str, k: int = 10, exclude: Iterable[str] = ()
    ) -> list[tuple[str, float]]:
        """Top-k (product_id, probability) for the customer, never a product in `exclude`.

        New products come first; products already seen, then already bought, only fill a list
        the catalog could not fill otherwise.
        """
        skip = set(exclude)
        history = self._net.histories.get(customer_id)
        if not history:
            return self.popular(k, skip)
        logits = self._net.next_item_scores([history])[0]
        probabilities = np.exp(logits - logits[1:].max())
        probabilities /= probabilities[1:].sum()
        bought = self._net.purchased.get(customer_id, set())
        seen = set(history) - bought
        tiers: tuple[list, list, list] = ([], [], [])
        for index in np.argsort(-probabilities, kind="stable"):
            product_id = self._net.item_ids[index - 1] if index > 0 else None
            if product_id is None or product_id in skip:
                continue
            tier = tiers[2 if product_id in bought else 1 if product_id in seen else 0]
            tier.append((product_id, float(probabilities[index])))
            if len(tiers[0]) == k:
                break
        return [*tiers[0], *tiers[1], *tiers[2]][:k]

    def similar(self, product_id: str, k: int = 10) -> list[tuple[str, float]]:
        """Top-k "also bought" (product_id, score): co-purchases, then products looked at by the
        same customers, then popular products, so the list is full and never raises."""
        known = self._neighbours(product_id)
        neighbours = [(p, score) for p, score in known if p != product_id]
        have = {p for p, _ in neighbours} | {product_id}
        return (neighbours + self.popular(k, have))[:k]

    def similar_strategy(self, product_id: str) -> str:
        """`also_bought` for a product with neighbours, `popularity` for one without."""
        return "also_bought" if self._neighbours(product_id) else "popularity"

    def _neighbours(self, product_id: str) -> list[tuple[str, float]]:
        return getattr(self._net, "also_bought", {}).get(product_id, [])

    def strategy(self, customer_id: str) -> str:
        """What `recommend` uses for this customer: `sasrec`, or `popularity` for a customer the
        model never saw (cold start)."""
        return "sasrec" if self._net.histories.get(customer_id) else "popularity"

    def popular(
        self, k: int, skip: set[str] | frozenset[str] = frozenset()
    ) -> list[tuple[str, float]]:
        """Most popular products in the training window (the fallback for unknown customers)."""
        items = ((p, share) for p, share in self._net.popularity.items() if p not in skip)
        return list(islice(items, k))


def load_champion_recommender(settings: Settings) -> Recommender | None:
    """The version behind alias `champion`, or None when no recommender has been promoted yet."""
    import mlflow.pytorch

    client = mlflow_client(settings)
    version = champion_version(client, MODEL_NAME)
    if version is None:
        return None
    net = mlflow.pytorch.load_model(f"models:/{MODEL_NAME}/{version}")
    if getattr(net, "schema", 1) != SCHEMA:
        # Saved by older code: its modules no longer match this class, so serving shows the
        # no-model fallback until the next training run promotes a current version.
        log.warning("recommender v%s predates schema %s; not served", version, SCHEMA)
        return None
    return Recommender(version, net)
