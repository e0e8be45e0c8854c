"""What an outcome is worth: a cart's price counts against its own list's prices."""

from __future__ import annotations

import numpy as np
import pytest

from models.ranker.data import SearchLists
from models.ranker.features import FEATURES
from models.ranker.worth import carted_value, gains, outcome


def two_lists() -> SearchLists:
    """Two lists of three rows; the second has a padding row. Prices differ tenfold between the
    lists; the same relative price earns the same value."""
    features = np.zeros((2, 3, len(FEATURES)), dtype=np.float32)
    features[0, :, FEATURES.index("price")] = [10.0, 20.0, 30.0]
    features[1, :, FEATURES.index("price")] = [100.0, 300.0, 999.0]
    labels = np.array([[0, 2, 3], [3, 1, 0]], dtype=np.float32)
    mask = np.array([[True, True, True], [True, True, False]])
    return SearchLists(features, labels, np.ones_like(labels), mask)


def test_a_cart_is_worth_its_price_against_its_list_mean_and_nothing_else_is():
    value = carted_value(two_lists())
    # list 0: mean 20; list 1: mean 200 (the padding row's price is not counted)
    assert value[0] == pytest.approx([0.0, 1.0, 1.5])
    assert value[1] == pytest.approx([0.5, 0.0, 0.0])


def test_the_weight_adds_value_to_the_graded_outcome_and_its_gain():
    lists = two_lists()
    assert outcome(lists, 0.0) == pytest.approx(lists.labels)
    assert gains(lists, 0.0) == pytest.approx(2.0**lists.labels - 1.0)
    assert outcome(lists, 4.0)[0] == pytest.approx([0.0, 2.0 + 4.0, 3.0 + 6.0])
    assert gains(lists, 4.0)[1] == pytest.approx([7.0 + 2.0, 1.0, 0.0])
