"""The catalog-wide cross-entropy that training uses gives what `F.cross_entropy` gives: the same
loss and gradients in fp32, and close to them with bf16 products."""

from __future__ import annotations

import pytest
import torch
from torch.nn import functional as F

from models.recommender import catalog_loss
from models.recommender.catalog_loss import catalog_cross_entropy


def loss_and_gradients(compute, states, table, targets):
    states, table = states.clone().requires_grad_(), table.clone().requires_grad_()
    loss = compute(states, table, targets)
    (2.0 * loss).backward()  # an upstream gradient other than 1 must scale both
    return loss.detach(), states.grad, table.grad


@pytest.mark.parametrize(("bf16", "tolerance"), [(False, 1e-5), (True, 3e-2)])
def test_loss_and_gradients_match_the_textbook_cross_entropy(bf16, tolerance, monkeypatch):
    monkeypatch.setattr(catalog_loss, "ROWS", 7)  # several chunks and a short last one
    generator = torch.Generator().manual_seed(3)
    states = torch.randn(30, 16, generator=generator)
    table = torch.randn(500, 16, generator=generator) * 0.5
    targets = torch.randint(0, 500, (30,), generator=generator)

    def textbook(s, t, y):
        return F.cross_entropy(s @ t.T, y)

    def ours(s, t, y):
        return catalog_cross_entropy(s, t, y, bf16=bf16)

    expected = loss_and_gradients(textbook, states, table, targets)
    found = loss_and_gradients(ours, states, table, targets)
    for want, got in zip(expected, found, strict=True):
        assert got.dtype == torch.float32
        assert torch.allclose(got, want, rtol=tolerance, atol=tolerance * float(want.abs().max()))
