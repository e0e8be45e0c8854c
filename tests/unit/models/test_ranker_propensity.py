"""EM propensities recover a known position bias from simulated clicks on shuffled lists."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from models.ranker.propensity import MAX_IPW, by_swaps, estimate, estimate_by_regression


def simulated_log(eta: float, searches: int = 6000, seed: int = 0) -> pd.DataFrame:
    """Each query shows the same 8 products in a random order; a click needs examination
    (k ** -eta) and relevance (a fixed chance per query and product)."""
    rng = np.random.default_rng(seed)
    relevance = rng.uniform(0.05, 0.9, size=(20, 8))
    rows = []
    for s in range(searches):
        query = s % 20
        for position, product in enumerate(rng.permutation(8), start=1):
            click = rng.random() < position**-eta and rng.random() < relevance[query, product]
            rows.append((f"q{query}", f"p{product}", position, int(click)))
    return pd.DataFrame(rows, columns=["query", "product_id", "position", "label"])


def test_em_recovers_the_examination_curve():
    found = estimate(simulated_log(eta=0.8))
    truth = np.arange(1, 9, dtype=float) ** -0.8
    assert found.examination[:8] == pytest.approx(truth, abs=0.06)
    assert found.fitted_eta == pytest.approx(0.8, abs=0.1)


def test_inverse_propensities_grow_with_position_and_are_clipped():
    found = estimate(simulated_log(eta=0.8, searches=2000))
    weights = found.inverse(np.array([1, 4, 8, 10_000]))
    assert weights[0] == pytest.approx(1.0)
    assert weights[0] < weights[1] < weights[2] <= MAX_IPW
    assert weights[3] <= MAX_IPW


def test_regression_em_recovers_the_curve_when_lists_are_never_shuffled():
    # Lists ordered by a noisy score: relevant items sit on top, as in an index-ordered log.
    rng = np.random.default_rng(1)
    quality = rng.normal(size=(4000, 10))
    order = np.argsort(-(quality + rng.normal(scale=1.0, size=quality.shape)), axis=1)
    ranked = np.take_along_axis(quality, order, axis=1)
    positions = np.tile(np.arange(1, 11), (4000, 1))
    relevant = rng.random(ranked.shape) < 1 / (1 + np.exp(-(2 * ranked - 1)))
    clicked = relevant & (rng.random(ranked.shape) < positions**-0.8)
    found = estimate_by_regression(positions.ravel(), clicked.ravel(), ranked.reshape(-1, 1))
    assert found.fitted_eta == pytest.approx(0.8, abs=0.1)


def swapped_log(eta: float, searches: int, share: float, seed: int = 0):
    """Ranked lists of 10 (relevance falling with the rank, as a ranker's would); in `share` of
    them a random adjacent pair k, k + 1 is swapped. A click needs examination (k ** -eta) and
    relevance. Returns the impressions and the swapped positions by search."""
    rng = np.random.default_rng(seed)
    rows, swapped = [], {}
    for s in range(searches):
        order = list(range(10))  # order[i]: the rank of the result shown at position i + 1
        if rng.random() < share:
            k = int(rng.integers(1, 10))
            order[k - 1], order[k] = order[k], order[k - 1]
            swapped[f"s{s}"] = k
        for position, rank in enumerate(order, start=1):
            relevance = 0.8 * 0.85**rank
            click = rng.random() < position**-eta and rng.random() < relevance
            rows.append((f"s{s}", position, int(click)))
    return pd.DataFrame(rows, columns=["search_id", "position", "label"]), swapped


def test_random_swaps_measure_the_position_bias():
    frame, swapped = swapped_log(eta=0.8, searches=30_000, share=0.3)
    found = by_swaps(frame, swapped)
    assert found is not None and found.swapped_lists == len(swapped)
    assert abs(found.eta - 0.8) < 3 * found.standard_error < 0.3
    assert found.propensities().examination[:3] == pytest.approx(
        [1.0, 2**-found.eta, 3**-found.eta]
    )


def test_no_swaps_or_no_clicks_measure_nothing():
    frame, _ = swapped_log(eta=0.8, searches=200, share=0.0)
    assert by_swaps(frame, {}) is None
    quiet = frame.assign(label=0)
    assert by_swaps(quiet, {"s1": 2}) is None
