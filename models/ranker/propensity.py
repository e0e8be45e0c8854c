"""Position-bias propensities estimated from the logs by regression-free EM (Wang et al., WSDM
2018): a click needs the result examined (depends on position only) and relevant (depends on
the query and product only); EM separates the two from impressions and clicks alone.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

MAX_IPW = 10.0  # clip so one lucky deep click does not dominate a list


@dataclass(frozen=True)
class Propensities:
    """P(examined | position k), k = 1..len(examination), scaled so position 1 is 1."""

    examination: np.ndarray
    fitted_eta: float  # exponent of the power law k ** -eta fitted to `examination`

    def inverse(self, positions: np.ndarray) -> np.ndarray:
        index = np.clip(np.asarray(positions, dtype=int), 1, len(self.examination)) - 1
        return np.minimum(1.0 / np.maximum(self.examination[index], 1e-6), MAX_IPW)


def estimate(frame: pd.DataFrame, iterations: int = 50, max_position: int = 50) -> Propensities:
    """EM over impressions (`query`, `product_id`, `position`, `label`; a label >= 1 is a click)."""
    position = frame["position"].clip(1, max_position).to_numpy(dtype=int) - 1
    clicked = (frame["label"].to_numpy() >= 1).astype(float)
    pair = frame.groupby(["query", "product_id"], sort=False).ngroup().to_numpy()
    pairs, width = int(pair.max()) + 1, int(position.max()) + 1
    shown_at = np.bincount(position, minlength=width).astype(float)
    shown_pair = np.bincount(pair, minlength=pairs).astype(float)
    theta = np.full(width, 0.5)
    gamma = np.full(pairs, 0.1)
    for _ in range(iterations):
        t, g = theta[position], gamma[pair]
        examined, relevant = _posteriors(clicked, t, g)
        theta = np.bincount(position, examined, width) / np.maximum(shown_at, 1.0)
        gamma = np.bincount(pair, relevant, pairs) / np.maximum(shown_pair, 1.0)
    return _curve(theta, shown_at)


def _posteriors(clicked: np.ndarray, t: np.ndarray, g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """E-step: P(examined) and P(relevant) of each row given its click, examination t and
    relevance g (a click means both)."""
    unclicked = np.maximum(1.0 - t * g, 1e-9)
    examined = clicked + (1.0 - clicked) * t * (1.0 - g) / unclicked
    relevant = clicked + (1.0 - clicked) * (1.0 - t) * g / unclicked
    return examined, relevant


def _curve(theta: np.ndarray, shown_at: np.ndarray) -> Propensities:
    """Examination relative to position 1; positions seen too rarely to estimate keep the power
    law the rest of the curve follows."""
    examination = theta / max(theta[0], 1e-9)
    seen = shown_at >= 30
    ranks = np.arange(1, len(theta) + 1, dtype=float)
    eta = _power_law(ranks[seen], examination[seen])
    examination = np.where(seen, examination, ranks**-eta)
    return Propensities(np.clip(examination, 1e-3, 1.0), eta)


def _power_law(ranks: np.ndarray, values: np.ndarray) -> float:
    """Least-squares eta of log(value) = -eta * log(rank) through position 1."""
    usable = values > 0
    if usable.sum() < 2:
        return 0.8  # too little traffic to fit: the usual click-model exponent
    x, y = np.log(ranks[usable]), np.log(values[usable])
    return float(max(0.0, -(x @ y) / max(x @ x, 1e-9)))


def estimate_by_regression(
    positions: np.ndarray, clicked: np.ndarray, features: np.ndarray, iterations: int = 40
) -> Propensities:
    """Regression-EM (Wang et al. 2018): relevance is a logistic function of the product's
    features instead of one free value per (query, product) pair, so lists that never reorder a
    pair still tell examination from relevance. Rows: positions (n,), clicks (n,), features (n, f)
    that must not encode the position itself."""
    position = np.clip(positions.astype(int), 1, 50) - 1
    clicked = clicked.astype(float)
    scaled = (features - features.mean(0)) / np.where(features.std(0) > 1e-9, features.std(0), 1)
    x = np.hstack([scaled, np.ones((len(scaled), 1))])
    width = int(position.max()) + 1
    shown_at = np.bincount(position, minlength=width).astype(float)
    theta, weights = np.full(width, 0.5), np.zeros(x.shape[1])
    for _ in range(iterations):
        gamma = 1.0 / (1.0 + np.exp(-(x @ weights)))
        t = theta[position]
        examined, relevant = _posteriors(clicked, t, gamma)
        theta = np.bincount(position, examined, width) / np.maximum(shown_at, 1.0)
        for _ in range(20):  # a few Newton-free gradient steps on the soft relevance targets
            gamma = 1.0 / (1.0 + np.exp(-(x @ weights)))
            weights += 0.5 * x.T @ (relevant - gamma) / len(x)
    return _curve(theta, shown_at)
