"""BSARec's parts: the low-pass projection per window length, a history scored the same alone and
in a batch, training on every prefix, and the shelf vectors it refuses."""

from __future__ import annotations

from dataclasses import replace

import pytest
import torch

from models.recommender.bsarec import BSARec, BSARecConfig, ByteDropout, low_pass_projections
from models.recommender.fit import network_for, training_prefixes

CONFIG = replace(BSARecConfig(), hidden=16, max_len=8)


def test_the_low_pass_is_a_projection_that_keeps_a_slow_trend():
    projections = low_pass_projections(8, keep=3)
    for n in range(1, 9):
        p = projections[n, :n, :n]
        assert torch.allclose(p, p.T, atol=1e-6) and torch.allclose(p @ p, p, atol=1e-5)
        assert torch.allclose(p @ torch.ones(n), torch.ones(n), atol=1e-5)  # a constant is slow
        assert not projections[n, n:].any() and not projections[n, :, n:].any()
    # Up to 4 steps, 3 kept frequencies are all there are: the filter passes everything.
    assert torch.allclose(projections[4, :4, :4], torch.eye(4), atol=1e-5)
    # Alternating from one step to the next is as fast as a window of 8 goes: filtered out.
    flip = torch.tensor([1.0, -1, 1, -1, 1, -1, 1, -1])
    assert torch.linalg.norm(projections[8] @ flip) < 1e-5


def test_a_history_scores_the_same_alone_and_padded_in_a_batch():
    torch.manual_seed(0)
    net = BSARec(20, CONFIG).eval()
    alone = net.score([[3, 4, 5]])
    batched = net.score([[3, 4, 5], [1, 2, 6, 7, 8, 9, 10]])
    assert torch.allclose(alone[0], batched[0], atol=1e-5)
    assert not torch.allclose(batched[0], batched[1])


def test_the_last_step_alone_is_the_last_of_all_steps():
    torch.manual_seed(0)
    net = BSARec(20, CONFIG).eval()
    items = net.pad([[3, 4, 5, 6, 7, 8, 9, 10], [2, 5]])
    assert torch.allclose(net.last_states(items), net.hidden_states(items)[:, -1], atol=1e-5)


def test_the_state_reads_later_steps_so_training_uses_each_prefix_alone():
    torch.manual_seed(0)
    net = BSARec(20, CONFIG).eval()
    assert not net.causal
    a = net.hidden_states(net.pad([[3, 4, 5]]))
    b = net.hidden_states(net.pad([[3, 4, 6]]))
    assert not torch.allclose(a[0, -3], b[0, -3])  # the first item's state saw the third
    inputs, targets = training_prefixes([[1, 2, 3], [4], [5, 6]], max_len=2)
    assert inputs.tolist() == [[0, 1], [1, 2], [0, 5]] and targets.tolist() == [2, 3, 6]


def test_byte_dropout_drops_about_p_and_keeps_the_mean():
    torch.manual_seed(0)
    drop = ByteDropout(0.5)
    out = drop(torch.ones(100_000))
    assert abs(float((out == 0).float().mean()) - 0.5) < 0.01
    assert abs(float(out.mean()) - 1.0) < 0.02
    assert torch.equal(drop.eval()(torch.ones(5)), torch.ones(5))


def test_bsarec_has_no_shelf_vectors():
    with pytest.raises(ValueError, match="groups"):
        network_for(5, CONFIG, [0, 1, 1, 2, 2, 2])
    assert isinstance(network_for(5, CONFIG, None), BSARec)
