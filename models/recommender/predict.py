"""Loads the `champion` recommender for serving; unknown customers get the popularity list."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import islice

import numpy as np

from models.recommender.model import RecommenderNet
from models.registry import champion_version
from models.tracking import mlflow_client
from storeloop.settings import Settings

MODEL_NAME = "recommender"


class Recommender:
    """A loaded recommender version; `recommend` never raises for an unknown customer or item."""

    def __init__(self, version: str, net: RecommenderNet) -> None:
        self.version = version
        self._net = net.eval()

    def recommend(
        self, customer_id: str, k: int = 10, exclude: Iterable[str] = ()
    ) -> list[tuple[str, float]]:
        """Top-k (product_id, score) for the customer, skipping `exclude`."""
        skip = set(exclude)
        history = self._net.histories.get(customer_id)
        if not history:
            return self.popular(k, skip)
        logits = self._net.next_item_scores([history])[0]
        probabilities = np.exp(logits - logits[1:].max())
        probabilities /= probabilities[1:].sum()
        ranked = []
        for index in np.argsort(-probabilities):
            if index == 0:
                continue
            product_id = self._net.item_ids[index - 1]
            if product_id not in skip:
                ranked.append((product_id, float(probabilities[index])))
            if len(ranked) == k:
                break
        return ranked

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
