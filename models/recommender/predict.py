"""Loads the `champion` recommender for serving; unknown customers and products get popularity."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import islice

import numpy as np
import torch

from models.recommender.model import RecommenderNet
from models.registry import champion_version
from models.tracking import mlflow_client
from storeloop.settings import Settings

MODEL_NAME = "recommender"


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
        """Top-k (product_id, cosine) by the learnt product vectors; popularity when unknown."""
        index = self._net.index.get(product_id)
        if index is None:
            return self.popular(k, {product_id})
        with torch.no_grad():
            vectors = torch.nn.functional.normalize(self._net.item_vectors()[1:], dim=1).numpy()
        cosine = vectors @ vectors[index - 1]
        cosine[index - 1] = -np.inf  # a product is not similar to itself for shoppers
        top = np.argsort(-cosine, kind="stable")[:k]
        return [(self._net.item_ids[i], float(cosine[i])) for i in top]

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
    return Recommender(version, mlflow.pytorch.load_model(f"models:/{MODEL_NAME}/{version}"))
