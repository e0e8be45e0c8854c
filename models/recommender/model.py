"""SASRec-style next-item model: causal self-attention over recent products, softmax over all.

A product's vector is its own embedding plus its category's, so a product nobody touched in the
training window still scores through its category instead of at random.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

MAX_LEN = 20  # recent distinct products the model attends to
SCHEMA = 2  # 2: distinct-product sequences with category vectors; champions before it can't rescore


class RecommenderNet(nn.Module):
    """Item index 0 is padding. Carries its vocabulary, categories, the customers' histories and
    purchases and the popularity prior, so one saved object serves recommendations."""

    def __init__(
        self,
        item_ids: list[str],
        popularity: dict[str, float],
        categories: dict[str, str] | None = None,
        dim: int = 32,
    ) -> None:
        super().__init__()
        self.schema = SCHEMA
        self.item_ids = list(item_ids)
        self.index = {p: i + 1 for i, p in enumerate(self.item_ids)}
        self.popularity = dict(popularity)
        self.histories: dict[str, list[str]] = {}
        self.purchased: dict[str, set[str]] = {}
        categories = categories or {}
        names = sorted({categories.get(p, "") for p in self.item_ids})
        self.category_names = names
        category_of = [0] + [1 + names.index(categories.get(p, "")) for p in self.item_ids]
        self.register_buffer("category_of", torch.tensor(category_of, dtype=torch.long))
        self.items = nn.Embedding(len(self.item_ids) + 1, dim, padding_idx=0)
        self.categories = nn.Embedding(len(names) + 1, dim, padding_idx=0)
        # Small starting vectors: an item's identity must be earned from data, its category not.
        nn.init.normal_(self.items.weight, std=0.05)
        nn.init.normal_(self.categories.weight, std=0.5)
        with torch.no_grad():
            self.items.weight[0].zero_()
            self.categories.weight[0].zero_()
        self.bias = nn.Embedding(len(self.item_ids) + 1, 1)  # learns popularity
        nn.init.zeros_(self.bias.weight)
        self.positions = nn.Embedding(MAX_LEN, dim)
        layer = nn.TransformerEncoderLayer(
            dim, nhead=2, dim_feedforward=2 * dim, dropout=0.2, batch_first=True
        )
        self.encoder = nn.TransformerEncoder(layer, num_layers=1, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(dim)

    def item_vectors(self) -> torch.Tensor:
        """(items+1, dim): own embedding plus category embedding; row 0 is padding."""
        return self.items.weight + self.categories(self.category_of)

    def encode(self, history: list[str]) -> list[int]:
        """Left-padded item indices of the last MAX_LEN known items."""
        known = [self.index[p] for p in history if p in self.index][-MAX_LEN:]
        return [0] * (MAX_LEN - len(known)) + known

    def hidden_states(self, sequences: torch.Tensor) -> torch.Tensor:
        """(n, MAX_LEN) item indices -> (n, MAX_LEN, dim) states after each step."""
        steps = torch.arange(sequences.shape[1], device=sequences.device)
        hidden = self.item_vectors()[sequences] + self.positions(steps)
        causal = nn.Transformer.generate_square_subsequent_mask(sequences.shape[1])
        return self.norm(self.encoder(hidden, mask=causal, is_causal=True))

    def logits(self, hidden: torch.Tensor) -> torch.Tensor:
        """(..., dim) states -> (..., items+1) next-item logits; padding is never recommended."""
        logits = hidden @ self.item_vectors().T + self.bias.weight.T
        logits[..., 0] = float("-inf")
        return logits

    def forward(self, sequences: torch.Tensor) -> torch.Tensor:
        """(n, MAX_LEN) item indices -> (n, MAX_LEN, items+1) next-item logits at every step."""
        return self.logits(self.hidden_states(sequences))

    def next_item_scores(self, histories: list[list[str]]) -> np.ndarray:
        """(n, items+1) logits for the item after each history."""
        batch = torch.tensor([self.encode(h) for h in histories], dtype=torch.long)
        with torch.no_grad():
            return self.logits(self.hidden_states(batch)[:, -1, :]).numpy()
