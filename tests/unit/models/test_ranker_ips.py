"""Counterfactual (IPS) NDCG and the index-rank prior the ranker network derives per list."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from models.metrics import MAX_IPW, inverse_propensity, ips_ndcg_at_k, mean_ips_ndcg, ndcg_at_k
from models.ranker.features import FEATURES
from models.ranker.model import RankerNet, content_columns, index_rank, quantile_knots


def test_inverse_propensity_grows_with_position_and_is_clipped():
    weights = inverse_propensity(np.array([1, 2, 10, 1000]))
    assert weights[0] == pytest.approx(1.0)
    assert weights[1] == pytest.approx(2**0.8)
    assert weights[3] == MAX_IPW


def test_ips_ndcg_does_not_hand_the_logging_order_a_perfect_score():
    # A click at logged position 1 and a purchase at position 8: naive NDCG sees the logged
    # order as nearly ideal, IPS knows position 8 was rarely examined and weighs it up.
    labels, positions = np.array([1, 0, 0, 0, 0, 0, 0, 3]), np.arange(1, 9)
    logged, promoted = -positions.astype(float), np.array([7.0, 6, 5, 4, 3, 2, 1, 8])
    assert ips_ndcg_at_k(logged, labels, positions) < ndcg_at_k(logged, labels)
    assert ips_ndcg_at_k(promoted, labels, positions) == pytest.approx(1.0)
    assert ips_ndcg_at_k(logged, np.zeros(8), positions) is None
    assert mean_ips_ndcg([(logged, labels, positions), (logged, np.zeros(8), positions)]) < 1.0


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
