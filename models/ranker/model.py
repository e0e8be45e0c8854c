"""The ranker network: index order as a prior plus a linear and a small MLP correction.

Input is one result list (n, len(FEATURES)) in index order, or padded lists (s, n, f); the net
derives list-relative features (the index rank) itself, so training and serving cannot drift.
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


class ListRankerNet(nn.Module):
    """Scores (n,) for one list (n, f) or (s, n) for padded lists (s, n, f); higher ranks first."""

    def __init__(self, mean: np.ndarray, std: np.ndarray, hidden: int = 8) -> None:
        super().__init__()
        self.feature_names = list(FEATURES)
        width = len(FEATURES) + len(DERIVED)
        # Buffers travel with the saved model, so serving standardises exactly as training did.
        self.register_buffer("mean", torch.as_tensor(mean, dtype=torch.float32))
        self.register_buffer(
            "std", torch.as_tensor(np.where(std > 1e-9, std, 1.0), dtype=torch.float32)
        )
        self.linear = nn.Linear(width, 1)
        self.mlp = nn.Sequential(nn.Linear(width, hidden), nn.ReLU(), nn.Linear(hidden, 1))

    mean: torch.Tensor
    std: torch.Tensor

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        scaled = (derive(features, self.feature_names) - self.mean) / self.std
        return (self.linear(scaled) + self.mlp(scaled)).squeeze(-1)


class IndexOrderNet(nn.Module):
    """Index order as a registered model (kind `index`): a list's rows keep the order of their
    index scores. Serving does not run it (it keeps the index order it has); it exists so that
    index order can win the gate, be champion and be named in responses like any version."""

    def __init__(self) -> None:
        super().__init__()
        self.feature_names = list(FEATURES)

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        return -index_rank(features.float(), self.feature_names)


def standardiser(features: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and std of the derived features over the real (unpadded) rows of padded lists."""
    with torch.no_grad():
        rows = derive(torch.from_numpy(features))[torch.from_numpy(mask)].numpy()
    return rows.mean(axis=0), rows.std(axis=0)
