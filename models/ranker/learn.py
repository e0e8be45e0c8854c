"""Fits the ranker: position-aware pointwise learning of what outcomes are worth, fixed seeds.

A logged outcome (0 none, 1 click, 2 cart, 3 purchase; a cart's price adds to its worth,
models.ranker.worth) depends on what the shopper saw first
(the position) and on the product for this shopper and query. Training adds a learned bias per
logged position to the net's score and regresses the sum on the outcome; serving reads the net
alone, as if every candidate were shown first (the shallow position tower of Zhao et al., RecSys
2019; PAL, Guo et al., RecSys 2019). The same logs hold lists in several orders (index order,
each champion's, interleaved ones), which tells position apart from product.
"""

from __future__ import annotations

import numpy as np
import torch

from models.ranker.data import SearchLists
from models.ranker.model import RankerNet, content_rows, index_rank, quantile_knots
from models.ranker.worth import outcome

LEARNING_RATE = 0.01
WEIGHT_DECAY = 1e-3
HIDDEN = 32
BATCH = 1024
EPOCHS = 30
# Nets averaged into one: a single net's order moves with its seed (the value of a cart most).
MEMBERS = 3
MAX_POSITION = 20  # deeper rows share the last position's bias


def position_index(positions: np.ndarray) -> np.ndarray:
    return np.clip(np.asarray(positions, dtype=np.int64), 1, MAX_POSITION) - 1


def fit(
    train: SearchLists,
    epochs: int,
    seed: int,
    revenue_weight: float = 0.0,
    members: int = MEMBERS,
) -> tuple[RankerNet, np.ndarray]:
    """The net (the mean of `members` nets from seeds `seed`, `seed + 1`, ..., as one wider net)
    and their mean learned position bias (MAX_POSITION,), position 1 at 0. The target is the
    outcome's worth to the store (models.ranker.worth)."""
    targets = outcome(train, revenue_weight)
    knots = quantile_knots(content_rows(train.features, train.mask))
    fitted = [_fit_one(train, targets, knots, epochs, seed + member) for member in range(members)]
    nets, biases = zip(*fitted, strict=True)
    return merged(list(nets), knots), np.mean(biases, axis=0)


def _fit_one(
    train: SearchLists, targets: np.ndarray, knots: np.ndarray, epochs: int, seed: int
) -> tuple[RankerNet, np.ndarray]:
    torch.manual_seed(seed)
    draw = torch.Generator().manual_seed(seed)
    model = RankerNet(knots, hidden=HIDDEN)
    bias = torch.nn.Embedding(MAX_POSITION, 1)
    torch.nn.init.zeros_(bias.weight)
    features, labels = torch.from_numpy(train.features), torch.from_numpy(targets)
    shown, mask = torch.from_numpy(position_index(train.positions)), torch.from_numpy(train.mask)
    lists_per_batch = max(1, BATCH // train.mask.shape[1])
    optimiser = torch.optim.Adam(
        [*model.parameters(), *bias.parameters()], lr=LEARNING_RATE, weight_decay=WEIGHT_DECAY
    )
    model.train()
    for _ in range(epochs):
        for batch in torch.randperm(len(labels), generator=draw).split(lists_per_batch):
            optimiser.zero_grad()
            predicted = model(features[batch]) + bias(shown[batch]).squeeze(-1)
            errors = (predicted - labels[batch])[mask[batch]]
            loss = torch.mean(errors**2)
            loss.backward()
            optimiser.step()
    model.eval()
    learned = bias.weight.detach().numpy()[:, 0]
    return model, learned - learned[0]


def merged(nets: list[RankerNet], knots: np.ndarray) -> RankerNet:
    """One net that scores the mean of `nets` (same inputs and knots): their hidden layers side
    by side, the second block-diagonal, so that a version saves, loads and serves like one."""
    width = sum(_layer(net, 0).out_features for net in nets)
    wide = RankerNet(knots, hidden=width, names=nets[0].feature_names)
    first, second, last = (_layer(wide, i) for i in (0, 2, 4))
    with torch.no_grad():
        first.weight.copy_(torch.cat([_layer(net, 0).weight for net in nets]))
        first.bias.copy_(torch.cat([_layer(net, 0).bias for net in nets]))
        second.weight.copy_(torch.block_diag(*[_layer(net, 2).weight for net in nets]))
        second.bias.copy_(torch.cat([_layer(net, 2).bias for net in nets]))
        last.weight.copy_(torch.cat([_layer(net, 4).weight for net in nets], dim=1) / len(nets))
        last.bias.copy_(torch.stack([_layer(net, 4).bias for net in nets]).mean(dim=0))
    return wide.eval()


def _layer(net: RankerNet, index: int) -> torch.nn.Linear:
    layer = net.mlp[index]
    assert isinstance(layer, torch.nn.Linear)
    return layer


def score_lists(model: torch.nn.Module, data: SearchLists) -> np.ndarray:
    """Model scores (s, n) for padded lists."""
    with torch.no_grad():
        return model(torch.from_numpy(data.features)).numpy()


def index_order(data: SearchLists) -> np.ndarray:
    """Scores that reproduce index order: by index score, ties in logged order."""
    with torch.no_grad():
        return -index_rank(torch.from_numpy(data.features)).numpy()
