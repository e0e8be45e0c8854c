"""The SASRec + item-kNN mixture: a distribution, the network's order when it has every share,
neighbours that never spend their share on the history, and shares chosen on validation with seen
items removed that follow whichever part knows the answer."""

import math

import numpy as np
import pytest

from models.recommender.baselines import ItemKNN
from models.recommender.blend import Blend, choose_shares, share_grid
from models.recommender.sequence_file import Split

N_ITEMS = 6


def network_that_knows(answer_of):
    """Scores the item `answer_of(history)` high, everything else flat."""

    def score(histories):
        scores = np.zeros((len(histories), N_ITEMS + 1), dtype=np.float32)
        for row, history in enumerate(histories):
            scores[row, answer_of(history)] = 5.0
        scores[:, 0] = -np.inf
        return scores

    return score


def flat_network(histories):
    scores = np.zeros((len(histories), N_ITEMS + 1), dtype=np.float32)
    scores[:, 0] = -np.inf
    return scores


# Shoppers who buy 1 then always buy 2, and 3 then always 4: neighbours learn the pairs exactly.
TRAIN = [[1, 2], [3, 4]] * 20 + [[5, 6]]
VALIDATION = Split(histories=[[1], [3], [1], [3]], targets=[2, 4, 2, 4])


def test_the_grid_covers_every_part_alone_and_starts_with_the_network():
    grid = share_grid(3)
    assert grid[0] == (1.0, 0.0, 0.0) and (0.0, 1.0, 0.0) in grid and (0.0, 0.0, 1.0) in grid
    assert len(grid) == 66 and all(math.isclose(sum(shares), 1.0) for shares in grid)


def test_the_mixture_is_a_distribution_and_the_network_alone_keeps_its_order():
    knn = ItemKNN(TRAIN, N_ITEMS)
    network = network_that_knows(lambda history: 6)
    mixed = Blend(network, [knn], (0.7, 0.3))([[1], [3]])
    assert np.isneginf(mixed[:, 0]).all()
    assert math.isclose(float(np.exp(mixed[0, 1:]).sum()), 1.0, rel_tol=1e-6)
    alone = Blend(network, [knn], (1.0, 0.0))([[1], [3]])
    assert (alone.argmax(axis=1) == 6).all()
    with pytest.raises(ValueError):
        Blend(network, [knn], (1.0,))


def test_a_neighbour_never_spends_its_share_on_the_history():
    # Item 2's only neighbour is 1: with 1 and 2 both in the history, the neighbours' whole
    # share goes to items the shopper does not have yet.
    mixed = Blend(flat_network, [ItemKNN(TRAIN, N_ITEMS)], (0.0, 1.0))([[1, 2]])
    assert np.isneginf(mixed[0, [1, 2]]).all()
    assert math.isclose(float(np.exp(mixed[0, 3:]).sum()), 1.0, rel_tol=1e-6)


def test_an_uninformed_network_gets_the_neighbours_share():
    shares, metrics = choose_shares(flat_network, [ItemKNN(TRAIN, N_ITEMS)], VALIDATION)
    assert shares[1] > 0 and metrics[shares]["hr_at_5"] == 1.0
    assert metrics[(1.0, 0.0)]["ndcg_at_10"] < metrics[shares]["ndcg_at_10"]


def test_useless_neighbours_leave_the_network_alone():
    network = network_that_knows(lambda history: {1: 2, 3: 4}[history[-1]])
    useless = ItemKNN([[5, 6]], N_ITEMS)  # never saw 1..4 together: no neighbour knows
    shares, metrics = choose_shares(network, [useless, useless], VALIDATION)
    assert shares == (1.0, 0.0, 0.0) and set(metrics) == set(share_grid(3))
    assert metrics[shares]["ndcg_at_10"] == 1.0


def test_on_validation_the_chosen_mixture_is_never_behind_one_of_its_parts():
    network = network_that_knows(lambda history: 5)  # wrong, but not flat
    shares, metrics = choose_shares(network, [ItemKNN(TRAIN, N_ITEMS)], VALIDATION)
    for alone in ((1.0, 0.0), (0.0, 1.0)):
        assert metrics[shares]["ndcg_at_10"] >= metrics[alone]["ndcg_at_10"]


def test_no_validation_cases_means_the_network_alone():
    shares, _ = choose_shares(flat_network, [ItemKNN(TRAIN, N_ITEMS)], Split([], []))
    assert shares == (1.0, 0.0)
