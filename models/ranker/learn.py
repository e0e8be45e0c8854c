"""Fits the ranker: position-aware pointwise learning of graded outcomes, fixed seed.

A logged outcome (0 none, 1 click, 2 cart, 3 purchase) depends on what the shopper saw first
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

LEARNING_RATE = 0.01
WEIGHT_DECAY = 1e-3
HIDDEN = 32
BATCH = 1024
EPOCHS = 30
MAX_POSITION = 20  # deeper rows share the last position's bias


def position_index(positions: np.ndarray) -> np.ndarray:
    return np.clip(np.asarray(positions, dtype=np.int64), 1, MAX_POSITION) - 1


def fit(train: SearchLists, epochs: int, seed: int) -> tuple[RankerNet, np.ndarray]:
    """The net and the learned position bias (MAX_POSITION,), position 1 at 0."""
    torch.manual_seed(seed)
    draw = torch.Generator().manual_seed(seed)
    model = RankerNet(quantile_knots(content_rows(train.features, train.mask)), hidden=HIDDEN)
    bias = torch.nn.Embedding(MAX_POSITION, 1)
    torch.nn.init.zeros_(bias.weight)
    features, labels = torch.from_numpy(train.features), torch.from_numpy(train.labels)
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


def score_lists(model: torch.nn.Module, data: SearchLists) -> np.ndarray:
    """Model scores (s, n) for padded lists."""
    with torch.no_grad():
        return model(torch.from_numpy(data.features)).numpy()


def index_order(data: SearchLists) -> np.ndarray:
    """Scores that reproduce index order: by index score, ties in logged order."""
    with torch.no_grad():
        return -index_rank(torch.from_numpy(data.features)).numpy()
