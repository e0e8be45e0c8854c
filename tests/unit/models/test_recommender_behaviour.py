"""Behaviour of the benchmark's recommender (network mixed with both item-kNNs) on a small shop
where shoppers walk the catalogue in order: what a shopper is shown follows their history, the
same seed gives the same figures, and with seen items removed no history item is ever ranked;
with either network (BSARec, the benchmark's, and SASRec, the store's)."""

from __future__ import annotations

import random
from dataclasses import replace

import numpy as np
import pytest
import torch

from models.recommender.benchmark import neighbour_scorers
from models.recommender.blend import Blend, choose_shares
from models.recommender.bsarec import BSARecConfig
from models.recommender.fit import fit_sasrec, training_precision
from models.recommender.protocol import SEEN_REMOVED, evaluate, remove_seen
from models.recommender.sasrec import SASRecConfig
from models.recommender.sequence_file import leave_one_out

ITEMS = 40
CONFIG = replace(SASRecConfig(), hidden=16, max_epochs=2, batch_size=32, lr=0.01, max_len=10)
# BSARec learns from each prefix alone (5 a sequence here): batches of prefixes, fewer epochs.
CONFIGS = {
    "sasrec": CONFIG,
    "bsarec": replace(BSARecConfig(), hidden=16, max_epochs=2, batch_size=64, lr=0.01, max_len=10),
}


def walks(seed: int = 3) -> list[list[int]]:
    """Item i is followed by i + 1, with a little noise."""
    rng = random.Random(seed)
    sequences = []
    for _ in range(240):
        start, length = rng.randrange(ITEMS), rng.randrange(4, 9)
        items = [(start + step) % ITEMS + 1 for step in range(length)]
        if rng.random() < 0.2:
            items[rng.randrange(length - 2)] = rng.randrange(1, ITEMS + 1)
        sequences.append(items)
    return sequences


def recommender(seed: int, network: str):
    """The mixture as the benchmark builds it, and the leave-one-out split it was fitted on."""
    split = leave_one_out(walks())
    config = replace(CONFIGS[network], seed=seed)
    net, _ = fit_sasrec(split.train, split.validation, ITEMS, config)
    network = lambda h: net.score(h).numpy()  # noqa: E731
    shares, _ = choose_shares(network, neighbour_scorers(split.train, ITEMS), split.validation)
    return Blend(network, neighbour_scorers(split.train, ITEMS), shares), split


@pytest.fixture(scope="module", params=sorted(CONFIGS))
def fitted(request):
    return (*recommender(seed=7, network=request.param), request.param)


def top(scorer, history: list[int], k: int = 5) -> list[int]:
    scores = remove_seen(np.array(scorer([history]), dtype=np.float64), [history])
    return [int(i) for i in np.argsort(-scores[0], kind="stable")[:k]]


def test_recommendations_follow_the_history(fitted):
    scorer, _, _ = fitted
    early, late = top(scorer, [10, 11, 12]), top(scorer, [30, 31, 32])
    assert early != late
    assert 13 in early and 33 in late  # the next step of each walk
    # One more item read changes the list, and moves it along the walk.
    longer = top(scorer, [10, 11, 12, 13])
    assert longer != early and 14 in longer


def test_the_same_seed_gives_the_same_figures_and_another_seed_other_scores(fitted):
    scorer, split, network = fitted
    again, _ = recommender(seed=7, network=network)
    assert evaluate(again, split.test, SEEN_REMOVED) == evaluate(scorer, split.test, SEEN_REMOVED)
    np.testing.assert_array_equal(again(split.test.histories), scorer(split.test.histories))
    other, _ = recommender(seed=8, network=network)
    assert not np.array_equal(other(split.test.histories), scorer(split.test.histories))


def test_with_seen_items_removed_no_history_item_is_ever_ranked(fitted):
    scorer, split, _ = fitted
    histories = split.test.histories
    scores = remove_seen(np.array(scorer(histories), dtype=np.float64), histories)
    for row, history in enumerate(histories):
        ranked = np.argsort(-scores[row], kind="stable")[: ITEMS - len(set(history))]
        assert not set(ranked.tolist()) & set(history) and 0 not in ranked


@pytest.mark.parametrize("network", sorted(CONFIGS))
@pytest.mark.parametrize("precision", ["bf16", "fp32"])
def test_the_network_learns_the_walks_in_either_training_precision(precision, network):
    split = leave_one_out(walks())
    config = replace(CONFIGS[network], max_epochs=6, precision=precision)
    net, report = fit_sasrec(split.train, split.validation, ITEMS, config)
    assert report.precision == precision
    assert all(p.dtype == torch.float32 for p in net.parameters())  # only the products were bf16
    # The next step of a walk is 1 of 40 items: a network that learnt nothing scores ~0.1.
    assert evaluate(lambda h: net.score(h).numpy(), split.test, SEEN_REMOVED)["hr_at_10"] > 0.6


def test_auto_precision_is_bf16_only_where_the_cpu_multiplies_it_in_hardware():
    assert training_precision("auto") == ("bf16" if torch.cpu._is_amx_tile_supported() else "fp32")
    assert training_precision("fp32") == "fp32"
    with pytest.raises(ValueError, match="precision"):
        training_precision("fp8")
