"""The repeat mixture: the share is measured on training sequences, and it decides whether items
a shopper already had rank above new ones."""

import math

import torch

from models.recommender.sasrec import SASRec, SASRecConfig, mix_repeats, repeat_share


def test_repeat_share_counts_next_items_already_in_the_sequence():
    # Steps: [1,2,1] -> 2 steps, 1 repeat; [3,3] -> 1 step, 1 repeat; [4] -> none.
    assert repeat_share([[1, 2, 1], [3, 3], [4]]) == (2 + 1) / (3 + 2)


def test_a_rare_repeat_share_puts_new_items_above_seen_ones():
    logits = torch.tensor([[5.0, 4.0, 1.0, 0.5]])  # items 1..4; the history holds 1 and 2
    mixed = mix_repeats(logits, [[1, 2]], share=0.01)
    assert mixed[0].argsort(descending=True).tolist() == [2, 3, 0, 1]
    # Still a distribution: the mixture's probabilities sum to one.
    assert math.isclose(float(mixed.exp().sum()), 1.0, rel_tol=1e-5)


def test_a_common_repeat_share_keeps_the_networks_order():
    logits = torch.tensor([[5.0, 4.0, 1.0, 0.5]])
    mixed = mix_repeats(logits, [[1, 2]], share=0.9)
    assert mixed[0].argsort(descending=True).tolist() == [0, 1, 2, 3]


def test_score_uses_the_share_and_an_empty_history_is_untouched():
    net = SASRec(6, SASRecConfig(hidden=8, blocks=1))
    raw = net.score([[1, 2], []])
    net.repeat_share = 1e-4
    mixed = net.score([[1, 2], []])
    assert mixed[0, 1:3].max() < mixed[0, 3:].min()  # items 1 and 2 fall below every new one
    assert torch.equal(mixed[1, 1:].argsort(), raw[1, 1:].argsort())
    assert mixed[:, 0].eq(float("-inf")).all()
