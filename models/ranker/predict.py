"""Loads a search ranker version (the net, LightGBM or index order) for serving and for
re-scoring a champion: `.score(rows)` in one pass, nothing unpickled."""

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
from models.ranker.model import DERIVED, derive, quantile_scale
from models.registry import CHAMPION, alias_version
from models.saving import UnsafeModelError, download, load_booster, load_torch_module, read_extra
from models.tracking import mlflow_client
from storeloop.settings import Settings

log = logging.getLogger(__name__)
__all__ = ["MODEL_NAME", "Ranker", "load_champion_ranker", "load_version"]


class NetScorer:
    """A PyTorch ranker (an eager RankerNet or the module of a pt2 archive). Its weights run
    through numpy: one list of 100 rows is a tiny GEMM, and torch's intra-op threads contending
    for a busy CPU made it ten times slower (25 ms against 3 ms on 2 shared cores)."""

    NET = ("columns", "knots", "mlp.0.weight", "mlp.0.bias", "mlp.2.weight", "mlp.2.bias",
           "mlp.4.weight", "mlp.4.bias")  # fmt: skip

    def __init__(self, net: torch.nn.Module, feature_names: list[str] | None = None) -> None:
        self.net = net
        self.feature_names = list(feature_names or getattr(net, "feature_names", FEATURES))
        state = dict(net.state_dict())
        self._weights: list[np.ndarray] | None = None
        # Older versions (ListNet) have other weights: they run through torch.
        if all(name in state for name in self.NET):
            self._weights = [_float64(state[n].detach().numpy()) for n in self.NET]

    def lists(self, features: np.ndarray, mask: np.ndarray) -> np.ndarray:
        tensor = torch.from_numpy(np.asarray(features, dtype=np.float32))
        with torch.no_grad():
            if self._weights is None:
                scores = self.net(tensor).numpy()
            else:
                scores = self._numpy_forward(derive(tensor, self.feature_names).numpy())
        return np.where(mask, scores, -np.inf)

    def _numpy_forward(self, rows: np.ndarray) -> np.ndarray:
        """RankerNet.forward: its quantile scaling (no GEMM), then the MLP in numpy."""
        columns, knots, w0, b0, w1, b1, w2, b2 = self._weights or []
        picked = torch.from_numpy(rows[..., columns]).double()
        scaled = quantile_scale(picked, torch.from_numpy(knots)).numpy()
        hidden = np.maximum(scaled @ w0.T + b0, 0.0)
        hidden = np.maximum(hidden @ w1.T + b1, 0.0)
        return (hidden @ w2.T + b2)[..., 0]


def _float64(array: np.ndarray) -> np.ndarray:
    return array.astype(np.float64) if array.dtype.kind == "f" else array


class BoosterScorer:
    def __init__(self, booster: Any, feature_names: list[str] | None = None) -> None:
        self.booster = booster
        self.feature_names = list(feature_names or FEATURES[: booster.num_feature() - len(DERIVED)])

    def lists(self, features: np.ndarray, mask: np.ndarray) -> np.ndarray:
        return score_boosted(self.booster, features, mask, self.feature_names)


class Ranker:
    """A loaded ranker version; `score` takes one search's rows carrying the features the version
    reads (see features.rows_for), in index order. `embeddings` computes the query-time
    similarity. `kind` is neural (listnet before it), lightgbm or index; serving keeps index
    order for `index`."""

    def __init__(
        self,
        version: str,
        scorer: NetScorer | BoosterScorer,
        embeddings: Any = None,
        kind: str | None = None,
    ) -> None:
        self.version = version
        self.scorer = scorer
        self.embeddings = embeddings
        self.kind = kind or ("lightgbm" if isinstance(scorer, BoosterScorer) else "neural")
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

    def score_lists(self, features: np.ndarray, mask: np.ndarray, names: list[str]) -> np.ndarray:
        """Scores (s, n) of padded lists whose columns are `names` (today's FEATURES): the
        version's own columns are picked by name, one it reads but is not there takes its
        default, so a champion trained on another feature list is re-scored fairly."""
        where = {name: i for i, name in enumerate(names)}
        columns = [
            features[..., where[n]] if n in where else np.full(features.shape[:-1], d)
            for n, d in zip(self.scorer.feature_names, self._defaults, strict=True)
        ]
        return self.scorer.lists(np.stack(columns, axis=-1).astype(np.float32), mask)


def load_version(settings: Settings, version: str, embeddings: Any = None) -> Ranker:
    """Any kind, told apart by the kind saved with it; raises UnsafeModelError for a version
    that would have to be unpickled (saved by older code)."""
    mlflow_client(settings)
    local = download(f"models:/{MODEL_NAME}/{version}")
    meta = read_extra(local, "model", {})
    kind, names = meta.get("kind"), meta.get("features")
    if kind is None:
        raise UnsafeModelError("old_format", f"ranker v{version} was saved by older code")
    if kind == "lightgbm":
        return Ranker(version, BoosterScorer(load_booster(local), names), embeddings, kind)
    return Ranker(version, NetScorer(load_torch_module(local), names), embeddings, kind)


def load_champion_ranker(settings: Settings, alias: str = CHAMPION) -> Ranker | None:
    """The version behind `alias` (`champion`, or `challenger` for an experiment), or None when
    no ranker holds it yet."""
    version = alias_version(mlflow_client(settings), MODEL_NAME, alias)
    if version is None:
        return None
    try:
        ranker = load_version(settings, version)
    except UnsafeModelError as error:  # serving keeps index order, as with no champion
        log.warning("ranker v%s not loaded (%s): %s", version, error.code, error)
        return None
    if ranker.kind == "index":
        return ranker  # serving keeps the index order: no features, no title vectors
    try:
        ranker.embeddings = TitleEmbeddings.from_store(settings)
    except Exception as error:  # no encoder: the similarity reads 0, the rest still ranks
        log.warning("title embeddings unavailable: %r", error)
    return ranker
