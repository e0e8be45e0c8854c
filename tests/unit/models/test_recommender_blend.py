"""The SASRec + item-kNN mixture: a distribution, the network's order at weight 0, and a weight
chosen on validation that follows whichever side knows the answer."""

import math

import numpy as np

from models.recommender.baselines import ItemKNN
from models.recommender.blend import WEIGHTS, Blend, choose_weight
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


def test_the_mixture_is_a_distribution_and_weight_zero_keeps_the_networks_order():
    knn = ItemKNN(TRAIN, N_ITEMS)
    network = network_that_knows(lambda history: 6)
    mixed = Blend(network, knn, 0.3)([[1], [3]])
    assert np.isneginf(mixed[:, 0]).all()
    assert math.isclose(float(np.exp(mixed[0, 1:]).sum()), 1.0, rel_tol=1e-9)
    alone = Blend(network, knn, 0.0)([[1], [3]])
    assert (alone.argmax(axis=1) == 6).all()


def test_an_uninformed_network_gets_the_neighbours_weight():
    weight, metrics = choose_weight(flat_network, ItemKNN(TRAIN, N_ITEMS), VALIDATION)
    assert weight > 0 and metrics[weight]["hr_at_5"] == 1.0
    assert metrics[0.0]["ndcg_at_10"] < metrics[weight]["ndcg_at_10"]


def test_useless_neighbours_leave_the_network_alone():
    network = network_that_knows(lambda history: {1: 2, 3: 4}[history[-1]])
    useless = ItemKNN([[5, 6]], N_ITEMS)  # never saw 1..4 together: no neighbour knows
    weight, metrics = choose_weight(network, useless, VALIDATION)
    assert weight == 0.0 and set(metrics) == set(WEIGHTS)
    assert metrics[0.0]["ndcg_at_10"] == 1.0


def test_no_validation_cases_means_the_network_alone():
    weight, _ = choose_weight(flat_network, ItemKNN(TRAIN, N_ITEMS), Split([], []))
    assert weight == 0.0
