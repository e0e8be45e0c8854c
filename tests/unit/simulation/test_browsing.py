"""The exact expected cart adds of the cascade agree with the cascade drawn many times."""

import numpy as np
import pytest

from simulation.browsing import browse, expected_adds

LISTS = [
    ([3, 2, 0, 1, 3, 2, 0, 0, 1, 3], [0.5, -0.2, 0.0, 1.0, 2.0, -1.0, 0.3, 0.0, 0.0, 1.5]),
    ([0, 0, 0, 3], [0.0, 0.0, 0.0, 0.0]),
    ([3], [4.0]),
]


@pytest.mark.parametrize(("grades", "utilities"), LISTS)
def test_expected_adds_match_the_drawn_cascade(grades, utilities):
    rng = np.random.default_rng(5)
    draws = 40_000
    added = np.zeros(len(grades))
    for _ in range(draws):
        for look in browse(rng, grades, utilities):
            added[look.index] += look.added_to_cart
    exact = np.array(expected_adds(grades, utilities))
    # 4 standard errors of a binomial share, at least 0.002
    tolerance = np.maximum(4 * np.sqrt(exact * (1 - exact) / draws), 0.002)
    assert np.all(np.abs(added / draws - exact) <= tolerance), (added / draws, exact)


def test_a_relevant_result_is_worth_more_at_the_top():
    low, high = expected_adds([0, 3], [0.0, 0.0]), expected_adds([3, 0], [0.0, 0.0])
    assert sum(high) > sum(low) > 0.0
