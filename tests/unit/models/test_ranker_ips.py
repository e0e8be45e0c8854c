"""The cascade that weighs logged clicks, the gate's counterfactual DCG, and the index-rank prior
the ranker network derives per list."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from models.metrics import dcg_per_list
from models.ranker.cascade import MAX_IPW, Cascade, fit_cascade
from models.ranker.data import SearchLists
from models.ranker.features import FEATURES
from models.ranker.model import RankerNet, content_columns, index_rank, quantile_knots
from simulation.browsing import (
    CLICK_PROBABILITY,
    EXAMINATION_DECAY,
    STOP_AFTER_CART,
    STOP_AFTER_CLICK,
    browse,
)


def _browsed(lists: int = 4_000, width: int = 10, seed: int = 0) -> tuple[SearchLists, np.ndarray]:
    """Lists of random true grades, shown in that order to the simulator's shoppers; logged as
    the store logs them (0 none, 1 click, 2 added to cart). The relevance features are the
    one-hot grade, so a logistic relevance can be exact."""
    rng = np.random.default_rng(seed)
    grades = rng.integers(0, 4, size=(lists, width))
    labels = np.zeros((lists, width), dtype=np.float32)
    for i in range(lists):
        for look in browse(rng, grades[i].tolist(), [0.0] * width):
            labels[i, look.index] = 2.0 if look.added_to_cart else float(look.clicked)
    positions = np.tile(np.arange(1, width + 1, dtype=np.float32), (lists, 1))
    mask = np.ones((lists, width), dtype=bool)
    features = np.eye(4, dtype=np.float32)[grades]
    return SearchLists(features, labels, positions, mask), grades


def test_the_fitted_cascade_recovers_how_the_simulated_shoppers_read():
    lists, _ = _browsed()
    cascade = fit_cascade(lists, lists.features)
    assert cascade.stay_after_click == pytest.approx(1 - STOP_AFTER_CLICK, abs=0.05)
    assert cascade.stay_after_cart == pytest.approx(1 - STOP_AFTER_CART, abs=0.05)
    assert cascade.eta == pytest.approx(EXAMINATION_DECAY, abs=0.1)


def test_cascade_weighted_clicks_estimate_relevance_at_every_position():
    # Unbiased: a click divided by the chance its row was looked at, given what the shopper did
    # above it, averages to the click probability of the grade wherever the row was shown.
    lists, grades = _browsed(seed=1)
    truth = Cascade(EXAMINATION_DECAY, 1 - STOP_AFTER_CLICK, 1 - STOP_AFTER_CART)
    weighted = (lists.labels >= 1) / truth.examination(lists)
    for position in (0, 3):
        for grade in (2, 3):
            shown = grades[:, position] == grade
            assert weighted[shown, position].mean() == pytest.approx(
                CLICK_PROBABILITY[grade], rel=0.2
            )
    # Position-only weights (the marginal chance to reach the row) underrate what lies below
    # an add to cart, which is what made every reordering look worse than the shown order.
    marginal = 4.0**-EXAMINATION_DECAY
    assert ((lists.labels[:, 3] >= 1) / marginal)[
        grades[:, 3] == 3
    ].mean() < 0.8 * CLICK_PROBABILITY[3]


def test_examination_follows_the_outcomes_above_and_gains_are_clipped():
    cascade = Cascade(1.0, 0.8, 0.1)
    labels = np.array([[2.0, 0.0, 1.0, 3.0]], dtype=np.float32)
    positions = np.array([[1.0, 2.0, 3.0, 4.0]], dtype=np.float32)
    lists = SearchLists(np.zeros((1, 4, 1)), labels, positions, np.ones((1, 4), dtype=bool))
    # Onward from k: k / (k + 1) without a click, times 0.1 after a cart, times 0.8 after a click.
    reached = [1.0, 0.05, 0.05 * 2 / 3, 0.05 * 2 / 3 * 3 / 4 * 0.8]
    assert cascade.examination(lists)[0] == pytest.approx(reached)
    assert cascade.gains(lists)[0] == pytest.approx([3.0, 0.0, 1.0 / reached[2], 7.0 * MAX_IPW])
    back = Cascade.from_dict(cascade.as_dict())
    assert back == cascade


def test_dcg_per_list_orders_by_score_keeps_shown_order_on_ties_and_drops_unclicked_lists():
    gains = np.array([[1.0, 0.0, 7.0], [0.0, 0.0, 0.0], [3.0, 3.0, 0.0]])
    mask = np.array([[True, True, True], [True, True, True], [True, True, False]])
    promoted = np.array([[0.0, 1.0, 2.0], [0.0, 0.0, 0.0], [1.0, 1.0, -np.inf]])
    values = dcg_per_list(promoted, gains, mask)
    assert len(values) == 2  # the list without a gain says nothing about either order
    assert values[0] == pytest.approx(7.0 + 0.0 / np.log2(3) + 1.0 / 2.0)
    assert values[1] == pytest.approx(3.0 + 3.0 / np.log2(3))
    shown = dcg_per_list(-np.tile(np.arange(3.0), (3, 1)), gains, mask)
    assert shown[0] < values[0]


def _rows(index_scores: list[float]) -> torch.Tensor:
    rows = torch.zeros(len(index_scores), len(FEATURES))
    rows[:, FEATURES.index("index_score")] = torch.tensor(index_scores)
    return rows


def test_index_rank_keeps_row_order_for_ties_and_ignores_padding():
    assert index_rank(_rows([5.0, 7.0, 5.0, 1.0])).tolist() == [2.0, 1.0, 3.0, 4.0]
    padded = torch.stack([_rows([3.0, 2.0, 0.0]), _rows([4.0, 4.0, 0.0])])  # last row padding
    assert index_rank(padded)[:, :2].tolist() == [[1.0, 2.0], [1.0, 2.0]]


def test_net_scores_one_list_or_padded_lists_alike():
    rows = np.random.default_rng(3).uniform(0.0, 9.0, size=(40, len(content_columns())))
    net = RankerNet(quantile_knots(rows)).eval()
    rows = _rows([3.0, 2.0, 1.0])
    padding = torch.zeros(1, len(FEATURES))
    other = _rows([9.0, 9.0, 8.0, 1.0])
    with torch.no_grad():
        alone = net(rows)
        padded = net(torch.stack([torch.cat([rows, padding]), other]))
    assert alone.shape == (3,)
    assert torch.allclose(padded[0, :3], alone)
