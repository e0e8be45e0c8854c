"""What a logged outcome is worth to the store: its graded outcome, plus, for a result put in
the cart, its price against the list's own, times the store's revenue weight.

Ranking by the graded outcome alone puts the cheap first: the thrifty click and buy them more
often, so price is the ranker's best single clue to relevance, and what shoppers put in the cart
is worth about a quarter less than under index order. A store ranks by what a result is likely to
earn (the chance of a purchase times its price; Wu et al., SIGIR 2018); with the chance of a
purchase as hard to tell apart as it is here, the weight says how much relevance the store gives
up for revenue. The price is relative to the mean of the list it was shown in, so the value
changes the order within a search, not which categories look relevant. `python -m
benchmarks.ranker_value` measures the trade-off on the hidden truth.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from models.ranker.data import SearchLists
from models.ranker.features import FEATURES

CARTED = 2  # graded outcomes: 0 none, 1 click, 2 cart, 3 purchase


def carted_value(lists: SearchLists, names: Sequence[str] = FEATURES) -> np.ndarray:
    """(s, n): a carted row's price over its list's mean price; 0 for rows not carted."""
    price = np.where(lists.mask, lists.features[..., list(names).index("price")], 0.0)
    shown = np.maximum(lists.mask.sum(axis=1, keepdims=True), 1)
    mean = np.maximum(price.sum(axis=1, keepdims=True) / shown, 1e-6)
    return np.where(lists.labels >= CARTED, price / mean, 0.0)


def outcome(lists: SearchLists, revenue_weight: float) -> np.ndarray:
    """The net's training target: graded outcome plus the weighted value of a cart."""
    return (lists.labels + revenue_weight * carted_value(lists)).astype(np.float32)


def gains(lists: SearchLists, revenue_weight: float, names: Sequence[str] = FEATURES) -> np.ndarray:
    """The gate's gains (before the propensities): 2^label - 1, plus the weighted value of a
    cart; with no weight, the graded gains alone (and no price needed)."""
    graded = np.power(2.0, lists.labels) - 1.0
    if revenue_weight == 0:
        return graded
    return graded + revenue_weight * carted_value(lists, names)
