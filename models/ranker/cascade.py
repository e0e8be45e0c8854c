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
moves it up looks worse than the order that hid it. A row passed over says less than a click:
the shopper read it and was not tempted, or had left already; the fitted relevance weighs the two.
Below about the eighth result few shoppers read on, so the logs cannot judge what a ranker
brings up from there: the gate compares rankers on the rows shoppers probably read, and leaves
the rest to an interleaving.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from models.ranker.data import SearchLists
from models.ranker.features import FEATURES
from models.ranker.worth import gains as outcome_gains

# The gate judges the rankers on the results shoppers probably read: a row whose chance to have
# been looked at is below this says too little (its weight would pass 10; clipping it instead
# would hand the shown order back its position bias).
MIN_EXAMINATION = 0.1
STEPS = 300
LEARNING_RATE = 0.05


@dataclass(frozen=True)
class Relevance:
    """P(click | looked at) = sigmoid(weights . standardised features + bias), over `columns`."""

    columns: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray
    bias: float

    def of(self, lists: SearchLists, names: Sequence[str]) -> np.ndarray:
        picked = lists.features[..., [list(names).index(c) for c in self.columns]]
        logits = ((picked - self.mean) / self.scale) @ self.weights + self.bias
        return 1.0 / (1.0 + np.exp(-logits))


@dataclass(frozen=True)
class Cascade:
    """After looking at position k and not clicking, the chance to look at k + 1 is
    (k / (k + 1)) ** eta; a click multiplies it by stay_after_click, an add to cart by
    stay_after_cart. `relevance` is the click model's estimate of each result's appeal."""

    eta: float
    stay_after_click: float
    stay_after_cart: float
    relevance: Relevance

    def continuation(self, positions: np.ndarray) -> np.ndarray:
        k = np.maximum(np.asarray(positions, dtype=np.float64), 1.0)
        return (k / (k + 1.0)) ** self.eta

    def examination(
        self, lists: SearchLists, names: Sequence[str] = FEATURES, appeal: np.ndarray | None = None
    ) -> np.ndarray:
        """(s, n) chance that each logged result was looked at, given what the shopper did above
        it (rows in shown order, as search_lists sorts them). A click above says the shopper
        read that far; a row passed over says less: they read it and were not tempted, or had
        left already, which is likelier the more tempting it was (a forward filter). `appeal`
        (s, n) replaces the fitted relevance where the true one is known (the simulator's)."""
        appeal = self.relevance.of(lists, names) if appeal is None else appeal
        onward = self.continuation(lists.positions)
        reading = np.ones(len(lists))
        found = np.ones(lists.labels.shape)
        for j in range(lists.labels.shape[1]):
            found[:, j] = reading
            label = lists.labels[:, j]
            stay = np.where(label >= 2, self.stay_after_cart, self.stay_after_click)
            passed_over = (
                reading * (1 - appeal[:, j]) / np.maximum(1 - reading * appeal[:, j], 1e-12)
            )
            after = onward[:, j] * np.where(label >= 1, stay, passed_over)
            reading = np.where(lists.mask[:, j], after, reading)
        return found

    def read(self, lists: SearchLists, names: Sequence[str] = FEATURES) -> np.ndarray:
        """(s, n) the rows shoppers probably read: the part of each list the logs can judge."""
        return lists.mask & (self.examination(lists, names) >= MIN_EXAMINATION)

    def inverse(self, lists: SearchLists, names: Sequence[str] = FEATURES) -> np.ndarray:
        """Inverse propensities, at most 1 / MIN_EXAMINATION (training weights)."""
        return 1.0 / np.maximum(self.examination(lists, names), MIN_EXAMINATION)

    def gains(
        self, lists: SearchLists, names: Sequence[str] = FEATURES, revenue_weight: float = 0.0
    ) -> np.ndarray:
        """Gains of the logged outcomes (models.ranker.worth) on the rows shoppers probably read,
        each divided by the chance it was read; 0 elsewhere. Their DCG under any ranking of the
        read rows estimates that ranking's DCG there without the shown order's position bias."""
        examined = self.examination(lists, names)
        read = lists.mask & (examined >= MIN_EXAMINATION)
        worth = outcome_gains(lists, revenue_weight, names)
        return np.where(read, worth / np.maximum(examined, 1e-9), 0.0)

    def as_dict(self) -> dict[str, Any]:
        return {
            "eta": self.eta,
            "stay_after_click": self.stay_after_click,
            "stay_after_cart": self.stay_after_cart,
            "relevance": {
                "columns": list(self.relevance.columns),
                "mean": self.relevance.mean.tolist(),
                "scale": self.relevance.scale.tolist(),
                "weights": self.relevance.weights.tolist(),
                "bias": self.relevance.bias,
            },
        }

    @classmethod
    def from_dict(cls, found: dict[str, Any]) -> Cascade:
        relevance = found["relevance"]
        return cls(
            float(found["eta"]),
            float(found["stay_after_click"]),
            float(found["stay_after_cart"]),
            Relevance(
                tuple(relevance["columns"]),
                np.asarray(relevance["mean"], dtype=np.float64),
                np.asarray(relevance["scale"], dtype=np.float64),
                np.asarray(relevance["weights"], dtype=np.float64),
                float(relevance["bias"]),
            ),
        )


def fit_cascade(
    lists: SearchLists, columns: Sequence[str], names: Sequence[str] = FEATURES, seed: int = 0
) -> Cascade:
    """Maximum likelihood over logged lists (rows in shown order; `names` their feature
    columns). Relevance reads `columns`, which must not encode the shown position (no index
    score in index-ordered logs): relevance and examination are told apart by the rest."""
    import torch

    torch.manual_seed(seed)
    mask = torch.from_numpy(lists.mask)
    relevance_features = lists.features[..., [list(names).index(c) for c in columns]]
    x = relevance_features[lists.mask].astype(np.float64)
    centre, spread = x.mean(0), np.where(x.std(0) > 1e-9, x.std(0), 1.0)
    scaled = (relevance_features - centre) / spread
    features = torch.from_numpy(scaled.astype(np.float32))
    labels = torch.from_numpy(lists.labels)
    clicked = ((labels >= 1) & mask).float()
    carted = ((labels >= 2) & mask).float()
    k = torch.from_numpy(np.maximum(lists.positions, 1.0).astype(np.float32))
    step_down = torch.log(k / (k + 1))
    width = labels.shape[1]
    at = torch.arange(width)[None, :]
    # The last clicked row of each list (-1: none): up to it the path is known.
    last = torch.where(
        clicked.sum(1) > 0,
        width - 1 - torch.argmax(clicked.flip(1), dim=1),
        torch.full((len(labels),), -1),
    )
    seen = (at <= last[:, None]) & mask
    after = (at > last[:, None]) & mask
    ends = at == (mask.sum(1) - 1)[:, None]  # past a list's last row there is nothing
    passed = (at < last[:, None]) & mask
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
        appeal = Relevance(
            tuple(columns), centre, spread, weights.double().numpy(), float(bias.item())
        )
        return Cascade(float(torch.exp(eta)), stay_click, stay_cart, appeal)


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
