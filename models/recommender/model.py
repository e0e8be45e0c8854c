"""SASRec-style next-item model: causal self-attention over recent items, softmax over all items."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

MAX_LEN = 20  # recent interactions the model attends to


class RecommenderNet(nn.Module):
    """Item index 0 is padding. Carries its vocabulary, the customers' recent histories and the
    popularity prior, so one saved object serves recommendations."""

    def __init__(self, item_ids: list[str], popularity: dict[str, float], dim: int = 32) -> None:
        super().__init__()
        self.item_ids = list(item_ids)
        self.index = {p: i + 1 for i, p in enumerate(self.item_ids)}
        self.popularity = dict(popularity)
        self.histories: dict[str, list[str]] = {}
        self.items = nn.Embedding(len(self.item_ids) + 1, dim, padding_idx=0)
        self.positions = nn.Embedding(MAX_LEN, dim)
        layer = nn.TransformerEncoderLayer(
            dim, nhead=2, dim_feedforward=2 * dim, dropout=0.1, batch_first=True
        )
        self.encoder = nn.TransformerEncoder(layer, num_layers=1, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(dim)

    def encode(self, history: list[str]) -> list[int]:
        """Left-padded item indices of the last MAX_LEN known items."""
        known = [self.index[p] for p in history if p in self.index][-MAX_LEN:]
        return [0] * (MAX_LEN - len(known)) + known

    def forward(self, sequences: torch.Tensor) -> torch.Tensor:
        """(n, MAX_LEN) item indices -> (n, MAX_LEN, items+1) next-item logits at every step."""
        steps = torch.arange(sequences.shape[1], device=sequences.device)
        hidden = self.items(sequences) + self.positions(steps)
        causal = nn.Transformer.generate_square_subsequent_mask(sequences.shape[1])
        hidden = self.norm(self.encoder(hidden, mask=causal, is_causal=True))
        logits = hidden @ self.items.weight.T
        logits[..., 0] = float("-inf")  # padding is never a recommendation
        return logits

    def next_item_scores(self, histories: list[list[str]]) -> np.ndarray:
        """(n, items+1) logits for the item after each history."""
        batch = torch.tensor([self.encode(h) for h in histories], dtype=torch.long)
        with torch.no_grad():
            return self(batch)[:, -1, :].numpy()
