"""A small MLP that scores one search result from its FEATURES, standardising inputs itself."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from models.ranker.features import FEATURES


class RankerNet(nn.Module):
    """Input (n, len(FEATURES)) raw feature values; output (n,) scores, higher ranks first."""

    def __init__(self, mean: np.ndarray, std: np.ndarray, hidden: int = 32) -> None:
        super().__init__()
        self.feature_names = list(FEATURES)
        # Buffers travel with the saved model, so serving standardises exactly as training did.
        self.register_buffer("mean", torch.as_tensor(mean, dtype=torch.float32))
        self.register_buffer(
            "std", torch.as_tensor(np.where(std > 1e-9, std, 1.0), dtype=torch.float32)
        )
        self.mlp = nn.Sequential(
            nn.Linear(len(FEATURES), hidden),
            nn.ReLU(),
            nn.Linear(hidden, hidden),
            nn.ReLU(),
            nn.Linear(hidden, 1),
        )

    mean: torch.Tensor
    std: torch.Tensor

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        scaled = (features.float() - self.mean) / self.std
        return self.mlp(scaled).squeeze(-1)
