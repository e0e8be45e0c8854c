"""How shoppers read a result list, learnt from the logs: from the top down, and whether they go
on past position k depends on k and on what they did there (nothing, a click, an add to cart).
This is the dependent click model (Guo et al., WSDM 2009) with a continuation chance after every
position, not only after clicks: without clicks the chance to reach position k falls as
k ** -eta, the power law that position-bias studies fit (Joachims et al., WSDM 2017). It is
fitted by maximum likelihood, with relevance a logistic function of the product's features (as
regression-EM does for the position-based model).

Its examination chances, given what the shopper did above each result, are the cascade
propensities that keep the ranker's counterfactual metric unbiased under such a cascade
(Vardasbi et al., SIGIR 2020). Position-only propensities are not: a shopper who adds the first
result to the cart seldom reads on, so what lies below looks irrelevant, and every ranker that
moves it up looks worse than the order that hid it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from models.ranker.data import SearchLists

# Clip inverse propensities: one purchase found deep down after two adds to cart (chance ~1/50)
# would otherwise outweigh a day of searches.
MAX_IPW = 30.0
STEPS = 300
LEARNING_RATE = 0.05


@dataclass(frozen=True)
class Cascade:
    """After looking at position k and not clicking, the chance to look at k + 1 is
    (k / (k + 1)) ** eta; a click multiplies it by stay_after_click, an add to cart by
    stay_after_cart."""

    eta: float
    stay_after_click: float
    stay_after_cart: float

    def continuation(self, positions: np.ndarray) -> np.ndarray:
        k = np.maximum(np.asarray(positions, dtype=np.float64), 1.0)
        return (k / (k + 1.0)) ** self.eta

    def examination(self, lists: SearchLists) -> np.ndarray:
        """(s, n) chance that each logged result was looked at, given what the shopper did above
        it; rows are in shown order (search_lists sorts them by position)."""
        stay = np.where(
            lists.labels >= 2,
            self.stay_after_cart,
            np.where(lists.labels >= 1, self.stay_after_click, 1.0),
        )
        onward = np.where(lists.mask, self.continuation(lists.positions) * stay, 1.0)
        reached = np.cumprod(onward, axis=1)
        return np.concatenate([np.ones((len(lists), 1)), reached[:, :-1]], axis=1)

    def inverse(self, lists: SearchLists) -> np.ndarray:
        return np.minimum(1.0 / np.maximum(self.examination(lists), 1e-9), MAX_IPW)

    def gains(self, lists: SearchLists) -> np.ndarray:
        """Graded gains (2^label - 1) of the logged outcomes, each divided by the chance its
        result was looked at: their sum under any ranking estimates its DCG without the
        position bias of the order that was shown."""
        return np.where(lists.mask, (np.power(2.0, lists.labels) - 1.0) * self.inverse(lists), 0.0)

    def as_dict(self) -> dict[str, Any]:
        return {
            "eta": self.eta,
            "stay_after_click": self.stay_after_click,
            "stay_after_cart": self.stay_after_cart,
        }

    @classmethod
    def from_dict(cls, found: dict[str, Any]) -> Cascade:
        return cls(
            float(found["eta"]),
            float(found["stay_after_click"]),
            float(found["stay_after_cart"]),
        )


def fit_cascade(lists: SearchLists, relevance_features: np.ndarray, seed: int = 0) -> Cascade:
    """Maximum likelihood over logged lists (rows in shown order). `relevance_features` (s, n, f)
    must not encode the shown position (no index score in index-ordered logs): relevance and
    examination are told apart by the rest."""
    import torch

    torch.manual_seed(seed)
    mask = torch.from_numpy(lists.mask)
    x = relevance_features[lists.mask]
    spread = x.std(0)
    scaled = (relevance_features - x.mean(0)) / np.where(spread > 1e-9, spread, 1.0)
    features = torch.from_numpy(scaled.astype(np.float32))
    labels = torch.from_numpy(lists.labels)
    clicked = ((labels >= 1) & mask).float()
    carted = ((labels >= 2) & mask).float()
    k = torch.from_numpy(np.maximum(lists.positions, 1.0).astype(np.float32))
    step_down = torch.log(k / (k + 1))
    width = labels.shape[1]
    columns = torch.arange(width)[None, :]
    # The last clicked row of each list (-1: none): up to it the path is known.
    last = torch.where(
        clicked.sum(1) > 0,
        width - 1 - torch.argmax(clicked.flip(1), dim=1),
        torch.full((len(labels),), -1),
    )
    seen = (columns <= last[:, None]) & mask
    after = (columns > last[:, None]) & mask
    ends = columns == (mask.sum(1) - 1)[:, None]  # past a list's last row there is nothing
    passed = (columns < last[:, None]) & mask
    weights = torch.zeros(features.shape[2], requires_grad=True)
    bias = torch.zeros(1, requires_grad=True)
    eta = torch.zeros(1, requires_grad=True)  # log eta
    stays = torch.zeros(2, requires_grad=True)
    optimiser = torch.optim.Adam([weights, bias, eta, stays], lr=LEARNING_RATE)
    for _ in range(STEPS):
        relevance = torch.sigmoid(features @ weights + bias).clamp(1e-6, 1 - 1e-6)
        go = torch.exp(torch.exp(eta) * step_down)
        stay_click, stay_cart = torch.sigmoid(stays)
        onward = go * torch.where(
            carted > 0, stay_cart, torch.where(clicked > 0, stay_click, torch.ones(()))
        )
        known = clicked * torch.log(relevance) + (1 - clicked) * torch.log(1 - relevance)
        log_likelihood = (known * seen).sum() + (torch.log(onward) * passed).sum()
        # After the last click nothing was clicked: the shopper left at some row m past it,
        # unattracted by every row up to m. Summed over m in log space, one pass per step.
        left = onward.gather(1, last.clamp(min=0)[:, None])[:, 0]
        quiet = _quiet(relevance, go, after, ends)
        tail = torch.where(last >= 0, (1 - left) + left * quiet, quiet)
        log_likelihood = log_likelihood + torch.log(tail.clamp_min(1e-9)).sum()
        loss = -log_likelihood / len(labels)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
    with torch.no_grad():
        stay_click, stay_cart = torch.sigmoid(stays).tolist()
        return Cascade(float(torch.exp(eta)), stay_click, stay_cart)


def _quiet(relevance: Any, go: Any, after: Any, ends: Any) -> Any:
    """P(no click on any `after` row | the first of them is looked at), per list: the sum over
    the row m where the shopper leaves of prod(not attracted, went on) up to m."""
    import torch

    unattracted = torch.log(1 - relevance)
    onward = torch.log(torch.where(ends, torch.zeros_like(go), go).clamp_min(1e-12))
    leave = torch.log((1 - torch.where(ends, torch.zeros_like(go), go)).clamp_min(1e-12))
    step = torch.where(after, unattracted + onward, torch.zeros_like(go))
    before = torch.cumsum(step, dim=1) - step  # log prod over after-rows above each row
    ways = torch.where(after, before + unattracted + leave, torch.full_like(go, -torch.inf))
    found = torch.logsumexp(ways, dim=1)
    return torch.where(after.any(dim=1), torch.exp(found), torch.ones_like(found))
