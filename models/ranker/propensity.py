"""Position-bias propensities: measured from randomised swaps where the logs have them
(`by_swaps`), else estimated by EM (Wang et al., WSDM 2018): a click needs the result examined
(depends on position only) and relevant (depends on the query and product only); EM separates
the two from impressions and clicks alone, under that assumption.
"""

from __future__ import annotations

from collections.abc import Mapping
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


@dataclass(frozen=True)
class SwapEstimate:
    """Position bias measured from randomised adjacent swaps: eta of k ** -eta, its standard
    error, and how many swapped lists it rests on."""

    eta: float
    standard_error: float
    swapped_lists: int

    def propensities(self, depth: int = 50) -> Propensities:
        ranks = np.arange(1, depth + 1, dtype=float)
        return Propensities(np.clip(ranks**-self.eta, 1e-3, 1.0), self.eta)


def by_swaps(frame: pd.DataFrame, swapped_at: Mapping[str, int]) -> SwapEstimate | None:
    """RandPair (Joachims et al., WSDM 2017) over impressions (`search_id`, `position`, `label`)
    of lists eligible for a swap; `swapped_at` names the searches swapped and where. Swaps are
    drawn at random, so the result a ranker put at k is the same kind of result whether it was
    shown at k (unswapped lists) or at k + 1 (lists swapped at k): the ratio of its click rates is
    p(k + 1) / p(k), and the same holds the other way round for the result it put at k + 1. The
    log-ratios of every k are pooled into one power law by inverse-variance weights. None when
    no swap position has clicks on both sides."""
    clicks = frame.assign(click=(frame["label"] >= 1).astype(int))
    by_search = clicks.pivot_table(index="search_id", columns="position", values="click",
                                   aggfunc="max")  # fmt: skip
    swap = by_search.index.map(lambda s: swapped_at.get(str(s), 0)).to_numpy()
    sums, weights, lists = 0.0, 0.0, 0
    for k in sorted({int(v) for v in swapped_at.values()}):
        if k + 1 not in by_search.columns:
            continue
        shown = by_search[[k, k + 1]].notna().all(axis=1).to_numpy()
        treated, control = shown & (swap == k), shown & (swap == 0)
        counts = [
            by_search.loc[treated, k + 1].sum(),  # ranked k, shown at k + 1
            by_search.loc[control, k].sum(),  # ranked k, shown at k
            by_search.loc[treated, k].sum(),  # ranked k + 1, shown at k
            by_search.loc[control, k + 1].sum(),  # ranked k + 1, shown at k + 1
        ]
        if min(counts) == 0:
            continue
        a, b, c, d = counts
        # Click rates divide by n_treated and n_control once each way: the counts cancel.
        log_ratio = 0.5 * (np.log(a / b) + np.log(d / c))
        variance = 0.25 * sum(1.0 / x for x in counts)
        x = np.log((k + 1) / k)
        sums += -x * log_ratio / variance
        weights += x * x / variance
        lists += int(treated.sum())
    if weights == 0.0:
        return None
    return SwapEstimate(max(0.0, sums / weights), float(np.sqrt(1.0 / weights)), lists)
