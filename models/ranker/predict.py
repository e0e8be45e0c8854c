"""Loads a search ranker version (ListNet or LightGBM) for serving: `.score(rows)` in one pass."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import numpy as np
import torch

from models.ranker.boosted import score_boosted
from models.ranker.embeddings import TitleEmbeddings
from models.ranker.features import DEFAULTS, FEATURES
from models.ranker.mlflow_io import MODEL_NAME
from models.ranker.model import DERIVED, LEGACY_FEATURES, ListRankerNet, derive
from models.registry import champion_version
from models.tracking import mlflow_client
from storeloop.settings import Settings

log = logging.getLogger(__name__)
__all__ = ["MODEL_NAME", "Ranker", "load_champion_ranker", "load_version"]


class NetScorer:
    """A PyTorch ranker. A ListRankerNet is run through numpy with its own weights: one list of
    100 rows is a tiny GEMM, and torch's intra-op threads contending for a busy CPU made it ten
    times slower (25 ms against 3 ms measured on 2 shared cores)."""

    def __init__(self, net: torch.nn.Module) -> None:
        self.net = net.eval()
        self.feature_names = list(getattr(net, "feature_names", LEGACY_FEATURES))
        self._weights: list[np.ndarray] | None = None
        if isinstance(net, ListRankerNet):
            first, _, second = net.mlp
            layers: list[Any] = [net.mean, net.std, net.linear.weight, net.linear.bias]
            layers += [first.weight, first.bias, second.weight, second.bias]
            self._weights = [t.detach().numpy().astype(np.float64) for t in layers]

    def lists(self, features: np.ndarray, mask: np.ndarray) -> np.ndarray:
        tensor = torch.from_numpy(np.asarray(features, dtype=np.float32))
        with torch.no_grad():
            if self._weights is None:
                scores = self.net(tensor).numpy()
            else:
                scores = self._numpy_forward(derive(tensor, self.feature_names).numpy())
        return np.where(mask, scores, -np.inf)

    def _numpy_forward(self, rows: np.ndarray) -> np.ndarray:
        mean, std, w, b, w1, b1, w2, b2 = self._weights or []
        scaled = (rows - mean) / std
        hidden = np.maximum(scaled @ w1.T + b1, 0.0)
        return (scaled @ w.T + b + hidden @ w2.T + b2)[..., 0]


class BoosterScorer:
    def __init__(self, booster: Any) -> None:
        self.booster = booster
        self.feature_names = FEATURES[: booster.num_feature() - len(DERIVED)]

    def lists(self, features: np.ndarray, mask: np.ndarray) -> np.ndarray:
        return score_boosted(self.booster, features, mask)


class Ranker:
    """A loaded ranker version; `score` takes one search's rows carrying FEATURES (see
    features.rows_for), in index order. `embeddings` computes the query-time similarity."""

    def __init__(
        self, version: str, scorer: NetScorer | BoosterScorer, embeddings: Any = None
    ) -> None:
        self.version = version
        self.scorer = scorer
        self.embeddings = embeddings
        names = scorer.feature_names
        self._defaults = np.array([DEFAULTS.get(n, 0.0) for n in names], dtype=np.float32)

    def score(self, rows: list[Mapping[str, Any]]) -> list[float]:
        if not rows:
            return []
        names = self.scorer.feature_names
        matrix = np.array([[row.get(n) for n in names] for row in rows], dtype=np.float32)
        # None becomes NaN in the cast; missing values take the same defaults as training.
        matrix = np.where(np.isnan(matrix), self._defaults, matrix)
        mask = np.ones((1, len(rows)), dtype=bool)
        return self.scorer.lists(matrix[None], mask)[0].tolist()


def load_version(settings: Settings, version: str, embeddings: Any = None) -> Ranker:
    """Either kind, told apart by the MLflow flavour it was logged with."""
    import mlflow

    mlflow_client(settings)
    uri = f"models:/{MODEL_NAME}/{version}"
    if "lightgbm" in mlflow.models.get_model_info(uri).flavors:
        return Ranker(version, BoosterScorer(mlflow.lightgbm.load_model(uri)), embeddings)
    return Ranker(version, NetScorer(mlflow.pytorch.load_model(uri)), embeddings)


def load_champion_ranker(settings: Settings) -> Ranker | None:
    """The version behind alias `champion`, or None when no ranker has been promoted yet."""
    version = champion_version(mlflow_client(settings), MODEL_NAME)
    if version is None:
        return None
    try:
        embeddings = TitleEmbeddings.from_store(settings)
    except Exception as error:  # no encoder: the similarity reads 0, the rest still ranks
        log.warning("title embeddings unavailable: %r", error)
        embeddings = None
    return load_version(settings, version, embeddings)
