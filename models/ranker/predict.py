"""Loads the `champion` search ranker for serving and scores feature rows in one forward pass."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import torch

from models.ranker.features import DEFAULTS, FEATURES
from models.registry import champion_version
from models.tracking import mlflow_client
from storeloop.settings import Settings

MODEL_NAME = "search-ranker"


class Ranker:
    """A loaded ranker version; `score` takes rows carrying FEATURES (see features.rows_for)."""

    def __init__(self, version: str, net: torch.nn.Module) -> None:
        self.version = version
        self._net = net.eval()

    def score(self, rows: list[Mapping[str, Any]]) -> list[float]:
        if not rows:
            return []
        matrix = np.array([[row.get(name) for name in FEATURES] for row in rows], dtype=np.float32)
        # None becomes NaN in the cast; missing values take the same defaults as training.
        matrix = np.where(np.isnan(matrix), _DEFAULT_VECTOR, matrix)
        with torch.no_grad():
            return self._net(torch.from_numpy(matrix)).tolist()


_DEFAULT_VECTOR = np.array([DEFAULTS.get(name, 0.0) for name in FEATURES], dtype=np.float32)


def load_champion_ranker(settings: Settings) -> Ranker | None:
    """The version behind alias `champion`, or None when no ranker has been promoted yet."""
    import mlflow.pytorch

    client = mlflow_client(settings)
    version = champion_version(client, MODEL_NAME)
    if version is None:
        return None
    return Ranker(version, mlflow.pytorch.load_model(f"models:/{MODEL_NAME}/{version}"))
