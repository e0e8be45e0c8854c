"""The cascade that weighs logged clicks, the gate's counterfactual DCG, and the index-rank prior
the ranker network derives per list."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import torch

from models.metrics import dcg_per_list
from models.ranker.cascade import Cascade, Relevance, fit_cascade
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

GRADES = ("grade_0", "grade_1", "grade_2", "grade_3")


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
    lists, grades = _browsed()
    cascade = fit_cascade(lists, GRADES, names=GRADES)
    assert cascade.stay_after_click == pytest.approx(1 - STOP_AFTER_CLICK, abs=0.05)
    assert cascade.stay_after_cart == pytest.approx(1 - STOP_AFTER_CART, abs=0.05)
    assert cascade.eta == pytest.approx(EXAMINATION_DECAY, abs=0.1)
    appeal = cascade.relevance.of(lists, GRADES)
    for grade in range(4):
        found = appeal[grades == grade].mean()
        assert found == pytest.approx(CLICK_PROBABILITY[grade], abs=0.05)


def test_cascade_weighted_clicks_estimate_relevance_at_every_position():
    # Unbiased: a click divided by the chance its row was looked at, given what the shopper did
    # above it, averages to the click probability of the grade wherever the row was shown.
    lists, grades = _browsed(lists=8_000, seed=1)
    truth = fit_cascade(lists, GRADES, names=GRADES)
    truth = replace(
        truth,
        eta=EXAMINATION_DECAY,
        stay_after_click=1 - STOP_AFTER_CLICK,
        stay_after_cart=1 - STOP_AFTER_CART,
    )
    appeal = np.asarray(CLICK_PROBABILITY)[grades]
    weighted = (lists.labels >= 1) / truth.examination(lists, GRADES, appeal=appeal)
    for position in (0, 3, 6):
        for grade in (2, 3):
            shown = grades[:, position] == grade
            assert weighted[shown, position].mean() == pytest.approx(
                CLICK_PROBABILITY[grade], rel=0.15
            )
    # Without the filter (a row passed over counted as read) the chance to have been looked at is
    # overrated below tempting rows, and what lies there looks less relevant than it is.
    naive = replace(truth, relevance=replace(truth.relevance, weights=np.zeros(4), bias=-30.0))
    weighted = (lists.labels >= 1) / naive.examination(lists, GRADES)
    shown = grades[:, 6] == 3
    assert weighted[shown, 6].mean() < 0.8 * CLICK_PROBABILITY[3]


def _one_list() -> SearchLists:
    labels = np.array([[2.0, 0.0, 1.0, 3.0]], dtype=np.float32)
    positions = np.array([[1.0, 2.0, 3.0, 4.0]], dtype=np.float32)
    features = np.ones((1, 4, 1), dtype=np.float32)
    return SearchLists(features, labels, positions, np.ones((1, 4), dtype=bool))


def test_examination_follows_the_outcomes_above_and_only_read_rows_are_judged():
    half = Relevance(("f",), np.zeros(1), np.ones(1), np.zeros(1), 0.0)  # appeal 1/2
    cascade = Cascade(1.0, 0.8, 0.2, half)
    lists = _one_list()
    # Onward from k: k / (k + 1), times 0.2 after a cart, 0.8 after a click; a row passed over
    # leaves the shopper reading with P(read and not tempted) / P(not clicked).
    second = 0.5 * 0.2
    passed_over = second * 0.5 / (1 - second * 0.5)
    reached = [1.0, second, passed_over * 2 / 3, 0.8 * 3 / 4]
    assert cascade.examination(lists, ("f",))[0] == pytest.approx(reached)
    assert cascade.read(lists, ("f",))[0].tolist() == [True, True, False, True]
    assert cascade.gains(lists, ("f",))[0] == pytest.approx([3.0, 0.0, 0.0, 7.0 / reached[3]])
    assert cascade.inverse(lists, ("f",))[0] == pytest.approx([1.0, 10.0, 10.0, 1 / reached[3]])
    assert Cascade.from_dict(cascade.as_dict()).as_dict() == cascade.as_dict()


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
