"""The ranker network: a small MLP over the candidate's features, quantile-scaled.

Input is one result list (n, len(FEATURES)) in index order, or padded lists (s, n, f); the net
derives its extra features (log price, has ratings) itself, so training and serving cannot drift.
LightGBM reads the same derived features, list-relative ranks included.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from models.ranker.features import FEATURES

DERIVED = ["neg_log_index_rank", "neg_log_score_rank", "score_rel_top", "log_price",
           "log_rating_count", "has_ratings", "log_price_rel_category"]  # fmt: skip


def index_rank(features: torch.Tensor, names: list[str] = FEATURES) -> torch.Tensor:
    """1-based rank by index score within each list; ties keep row (index) order, and padding
    rows (score 0, at the end) never outrank a real row."""
    score = features[..., names.index("index_score")]
    n = score.shape[-1]
    rows = torch.arange(n)
    earlier = rows.unsqueeze(-1) > rows.unsqueeze(0)  # [i, j]: j before i
    above = score.unsqueeze(-1) < score.unsqueeze(-2)
    tied_before = (score.unsqueeze(-1) == score.unsqueeze(-2)) & earlier
    return (above | tied_before).float().sum(-1) + 1.0


def derive(features: torch.Tensor, names: list[str] = FEATURES) -> torch.Tensor:
    """`names` plus DERIVED, per row; features (..., n, len(names)) are raw values of whole
    lists. Columns are found by name, so versions trained on older feature lists still score."""
    features = features.float()
    column = {name: features[..., i] for i, name in enumerate(names)}
    score = column["index_score"]
    # Tied index scores share a score rank: within a tie the index order is arbitrary.
    score_rank = (score.unsqueeze(-1) < score.unsqueeze(-2)).float().sum(-1) + 1.0
    top = score.max(dim=-1, keepdim=True).values.clamp(min=1e-6)
    rating_count = column["rating_count"]
    extra = [
        -torch.log(index_rank(features, names)),
        -torch.log(score_rank),
        score / top,
        torch.log1p(column["price"].clamp(min=0.0)),
        torch.log1p(rating_count.clamp(min=0.0)),
        (rating_count > 0).float(),  # rating 0 means "no ratings yet", not "rated badly"
        torch.log(column["price_rel_category"].clamp(min=1e-3)),
    ]
    return torch.cat([features, torch.stack(extra, dim=-1)], dim=-1)


# List-relative ranks mirror the position a list was shown at: the net leaves them out, so that
# the position bias it learns beside them in training (learn.py) is not also in its inputs.
LIST_RELATIVE = ("neg_log_index_rank", "neg_log_score_rank", "score_rel_top")
KNOTS = 33  # quantiles per input: each input is mapped through its training distribution


def content_columns(names: list[str] = FEATURES) -> list[int]:
    """Columns of `derive(..., names)` the net reads: all but the list-relative ranks."""
    return [i for i, name in enumerate([*names, *DERIVED]) if name not in LIST_RELATIVE]


def quantile_knots(rows: np.ndarray, knots: int = KNOTS) -> np.ndarray:
    """(c, knots) quantiles of each column of training rows (r, c)."""
    quantiles = np.quantile(rows, np.linspace(0.0, 1.0, knots), axis=0)
    return np.ascontiguousarray(quantiles.T, dtype=np.float32)


def quantile_scale(rows: torch.Tensor, knots: torch.Tensor) -> torch.Tensor:
    """Each column piecewise-linearly through its knots onto [-2, 2]: prices, counts and scores
    arrive on one scale whatever their tails (rating 0 = unrated, counts in the thousands)."""
    columns, count = knots.shape
    flat = rows.reshape(-1, columns).T.contiguous()
    upper = torch.searchsorted(knots, flat, right=True).clamp(1, count - 1)
    low, high = knots.gather(1, upper - 1), knots.gather(1, upper)
    within = ((flat - low) / (high - low).clamp(min=1e-9)).clamp(0.0, 1.0)
    scaled = -2.0 + (upper - 1 + within) * (4.0 / (count - 1))
    return scaled.T.reshape(rows.shape)


class RankerNet(nn.Module):
    """Scores (n,) for one list (n, f) or (s, n) for padded lists (s, n, f); higher ranks first.
    Pointwise: each row's score is its expected worth (models.ranker.worth) had it been shown
    first."""

    def __init__(self, knots: np.ndarray, hidden: int = 32, names: list[str] = FEATURES) -> None:
        super().__init__()
        self.feature_names = list(names)
        # Buffers travel with the saved model, so serving scales exactly as training did.
        self.register_buffer("columns", torch.tensor(content_columns(names), dtype=torch.long))
        self.register_buffer("knots", torch.as_tensor(knots, dtype=torch.float32))
        width = len(self.columns)
        self.mlp = nn.Sequential(
            nn.Linear(width, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(),
            nn.Linear(hidden, 1),
        )  # fmt: skip

    columns: torch.Tensor
    knots: torch.Tensor

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        rows = derive(features, self.feature_names).index_select(-1, self.columns)
        return self.mlp(quantile_scale(rows, self.knots)).squeeze(-1)


class IndexOrderNet(nn.Module):
    """Index order as a registered model (kind `index`): a list's rows keep the order of their
    index scores. Serving does not run it (it keeps the index order it has); it exists so that
    index order can win the gate, be champion and be named in responses like any version."""

    def __init__(self) -> None:
        super().__init__()
        self.feature_names = list(FEATURES)

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        return -index_rank(features.float(), self.feature_names)


def content_rows(features: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """The net's input columns of the real (unpadded) rows of padded lists (r, c)."""
    with torch.no_grad():
        rows = derive(torch.from_numpy(features))[torch.from_numpy(mask)].numpy()
    return rows[:, content_columns()]
