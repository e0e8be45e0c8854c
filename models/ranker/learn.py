"""Fits the ranker: ListNet on propensity-weighted graded gains, full batch, fixed seed."""

from __future__ import annotations

import numpy as np
import torch

from models.ranker.data import SearchLists
from models.ranker.model import ListRankerNet, index_rank, standardiser

LEARNING_RATE = 0.02
WEIGHT_DECAY = 3e-2  # the lists are few: keep the correction to index order small
HIDDEN = 8


def listnet_loss(scores: torch.Tensor, lists: dict[str, torch.Tensor]) -> torch.Tensor:
    """Cross-entropy between the softmax of scores and the propensity-weighted graded gains."""
    scores = scores.masked_fill(~lists["mask"], float("-inf"))
    log_probs = torch.log_softmax(scores, dim=1).masked_fill(~lists["mask"], 0.0)
    target = (torch.pow(2.0, lists["labels"]) - 1.0) * lists["ipw"] * lists["mask"]
    totals = target.sum(dim=1)
    useful = totals > 0
    per_search = -(target * log_probs).sum(dim=1)[useful] / totals[useful]
    return per_search.mean()


def tensors(data: SearchLists, ipw: np.ndarray) -> dict[str, torch.Tensor]:
    return {
        "features": torch.from_numpy(data.features),
        "labels": torch.from_numpy(data.labels),
        "ipw": torch.from_numpy(ipw.astype(np.float32)),
        "mask": torch.from_numpy(data.mask),
    }


def fit(train: SearchLists, ipw: np.ndarray, epochs: int, seed: int) -> ListRankerNet:
    """`ipw` (s, n): inverse examination propensity of each row's logged position."""
    torch.manual_seed(seed)
    mean, std = standardiser(train.features, train.mask)
    model = ListRankerNet(mean=mean, std=std, hidden=HIDDEN)
    optimiser = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE, weight_decay=WEIGHT_DECAY)
    lists = tensors(train, ipw)
    model.train()
    for _ in range(epochs):
        optimiser.zero_grad()
        loss = listnet_loss(model(lists["features"]), lists)
        loss.backward()
        optimiser.step()
    model.eval()
    return model


def score_lists(model: torch.nn.Module, data: SearchLists) -> np.ndarray:
    """Model scores (s, n) for padded lists, each list scored as a whole."""
    with torch.no_grad():
        return model(torch.from_numpy(data.features)).numpy()


def index_order(data: SearchLists) -> np.ndarray:
    """Scores that reproduce index order: by index score, ties in logged order."""
    with torch.no_grad():
        return -index_rank(torch.from_numpy(data.features)).numpy()
