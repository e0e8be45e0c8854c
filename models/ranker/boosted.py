"""The gradient-boosted baseline: LightGBM lambdarank on the same features (FEATURES plus the
list-relative DERIVED ones), with the same propensity weights; also servable as a champion."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from models.ranker.data import SearchLists
from models.ranker.features import FEATURES
from models.ranker.model import DERIVED, derive
from models.ranker.worth import gains

PARAMS = {
    "objective": "lambdarank",
    "metric": "ndcg",
    "ndcg_eval_at": [10],
    "learning_rate": 0.05,
    "num_leaves": 15,
    "min_data_in_leaf": 20,
    "feature_fraction": 0.9,
    "lambdarank_truncation_level": 20,
    "verbose": -1,
    "num_threads": 2,
}
ROUNDS = 100  # more rounds fit the logged clicks, not relevance (held-out NDCG falls)


def derived_rows(features: np.ndarray, names: list[str] = FEATURES) -> np.ndarray:
    """(..., n, f) raw `names` features of whole lists to (..., n, f + len(DERIVED)) inputs."""
    with torch.no_grad():
        return derive(torch.from_numpy(np.asarray(features, dtype=np.float32)), names).numpy()


def fit_lambdarank(
    train: SearchLists,
    ipw: np.ndarray,
    seed: int,
    revenue_weight: float = 0.0,
    rounds: int = ROUNDS,
) -> Any:
    """The gate's gains (models.ranker.worth), rounded, as relevance levels with gains of their
    own size; LightGBM's lambdarank scales each row's gradient by its weight, so a clicked row
    weighs its inverse propensity (inverse propensity weighting)."""
    import lightgbm as lgb

    rows = derived_rows(train.features)[train.mask]
    levels = np.rint(gains(train, revenue_weight)[train.mask]).astype(int)
    sizes = train.mask.sum(axis=1)
    weights = np.where(train.labels > 0, ipw, 1.0)[train.mask]
    # Named columns travel in the booster's text file, so a version says what it reads.
    data = lgb.Dataset(
        rows, label=levels, group=sizes, weight=weights, feature_name=[*FEATURES, *DERIVED]
    )
    own_size = {"label_gain": list(range(int(levels.max()) + 1))}
    return lgb.train(PARAMS | own_size | {"seed": seed}, data, num_boost_round=rounds)


def score_boosted(
    booster: Any, features: np.ndarray, mask: np.ndarray, names: list[str] = FEATURES
) -> np.ndarray:
    """Scores (s, n) of padded lists of raw `names` features; padding scores -inf."""
    derived = derived_rows(features, names)
    scores = np.full(mask.shape, -np.inf, dtype=np.float64)
    scores[mask] = booster.predict(derived[mask])
    return scores
