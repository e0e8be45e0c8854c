"""SASRec: causal self-attention over a shopper's recent items, next-item scores over the whole
catalog (Kang and McAuley 2018), trained with full cross-entropy (Klenitskiy and Vasilev 2023)."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import torch
from torch import nn
from torch.nn import functional as F


@dataclass(frozen=True)
class SASRecConfig:
    """Defaults chosen on validation metrics, the same for every dataset (see fit.py)."""

    max_len: int = 50
    hidden: int = 64
    blocks: int = 2
    heads: int = 1
    dropout: float = 0.3
    lr: float = 1e-3
    batch_size: int = 128
    max_epochs: int = 200
    patience: int = 8  # epochs without a better validation NDCG@10 before stopping
    max_minutes: float = 15.0
    seed: int = 7
    # Training's matrix products in bfloat16 where the CPU multiplies it in hardware (AMX), as
    # GPUs train in it: "auto", "bf16" or "fp32". Weights, the loss and every score stay fp32.
    precision: str = "auto"
    adam_beta2: float = 0.98

    def as_params(self) -> dict[str, object]:
        return asdict(self)


class NextItemNetwork(nn.Module):
    """What every next-item network shares: item 0 is padding; item i (1..n_items) has row i of
    the embedding, shared by input and output, so the softmax scores every item with the same
    vectors it reads. Subclasses say how a history becomes states (`hidden_states`) and whether
    each step's state reads only the steps before it (`causal`): a causal network learns from
    every step of a sequence at once, another from each prefix on its own (see fit.py)."""

    causal = True

    def __init__(self, n_items: int, config: SASRecConfig) -> None:
        super().__init__()
        self.n_items = n_items
        self.config = config
        self.items = nn.Embedding(n_items + 1, config.hidden, padding_idx=0)
        # Share of next items that the shopper already had, measured on the training sequences
        # by fit (None: unmeasured, scores are the raw logits); see `mix_repeats`.
        self.repeat_share: float | None = None

    # True where a history's state depends on how far it is padded: it is then always scored on
    # the full max_len window, never one cut to its batch's longest history.
    full_window = False

    def pad(self, histories: list[list[int]]) -> torch.Tensor:
        """Left-padded (n, L) item ids of each history's last max_len items; L fits the longest,
        or is max_len for a network that reads its padding (`full_window`)."""
        recent = [h[-self.config.max_len :] for h in histories]
        length = max(1, max(len(h) for h in recent))
        items = torch.tensor([[0] * (length - len(h)) + h for h in recent], dtype=torch.long)
        return self.window(items)

    def window(self, items: torch.Tensor) -> torch.Tensor:
        """(n, L) left-padded item ids as this network scores them: unchanged, or padded (or cut)
        on the left to max_len for a network that reads its padding. One pad for every L, no
        branch on it, so an exported module keeps L dynamic."""
        if not self.full_window:
            return items
        return F.pad(items, (self.config.max_len - items.shape[1], 0))

    def hidden_states(self, items: torch.Tensor) -> torch.Tensor:
        """(n, L) left-padded item ids -> (n, L, hidden); the last step's is the history's."""
        raise NotImplementedError

    def last_states(self, items: torch.Tensor) -> torch.Tensor:
        """(n, L) left-padded item ids -> (n, hidden): each history's state after its last item."""
        return self.hidden_states(items)[:, -1]

    def item_table(self) -> torch.Tensor:
        """(n_items + 1, hidden) item vectors; row 0 (padding) is unused."""
        return self.items.weight

    def catalog_logits(self, states: torch.Tensor) -> torch.Tensor:
        """(..., hidden) states -> (..., n_items) logits of items 1..n_items (column j: j+1)."""
        return states @ self.item_table()[1:].T

    @torch.no_grad()
    def score(self, histories: list[list[int]]) -> torch.Tensor:
        """(n, n_items + 1) next-item logits; column 0 (padding) is -inf."""
        was_training = self.training
        self.eval()
        logits = self.catalog_logits(self.last_states(self.pad(histories)))
        self.train(was_training)
        if self.repeat_share is not None:
            logits = mix_repeats(logits, histories, self.repeat_share)
        padding = torch.full((len(histories), 1), float("-inf"))
        return torch.cat([padding, logits], dim=1)


class SASRec(NextItemNetwork):
    """Causal self-attention, pre-norm blocks, positions counted back from the last item."""

    def __init__(self, n_items: int, config: SASRecConfig, groups: list[int] | None = None) -> None:
        """`groups[i]` (1..G, 0 for padding) is item i's shelf, e.g. its category: an item's vector
        is then its own plus its shelf's, so an item seldom seen still scores like its shelf."""
        super().__init__(n_items, config)
        group_of = torch.tensor(groups if groups is not None else [0] * (n_items + 1))
        self.register_buffer("group_of", group_of, persistent=True)
        self.groups = nn.Embedding(int(group_of.max()) + 1, config.hidden, padding_idx=0)
        nn.init.normal_(self.groups.weight, std=1.0 / math.sqrt(config.hidden))
        # Positions count back from the most recent item, so batches cut to their longest
        # sequence still give the last item the same position.
        self.recency = nn.Embedding(config.max_len, config.hidden)
        self.dropout = nn.Dropout(config.dropout)
        layer = nn.TransformerEncoderLayer(
            config.hidden,
            config.heads,
            dim_feedforward=config.hidden,
            dropout=config.dropout,
            batch_first=True,
            norm_first=True,
        )
        self.encoder = nn.TransformerEncoder(layer, config.blocks, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(config.hidden)
        nn.init.normal_(self.items.weight, std=1.0 / math.sqrt(config.hidden))
        with torch.no_grad():
            self.items.weight[0].zero_()

    def hidden_states(self, items: torch.Tensor) -> torch.Tensor:
        """(n, L) left-padded item ids -> (n, L, hidden): the state after each step."""
        n, length = items.shape
        recency = torch.arange(length - 1, -1, -1, device=items.device)
        x = self.item_table()[items] * math.sqrt(self.config.hidden) + self.recency(recency)
        x = self.dropout(x) * (items > 0).unsqueeze(-1)
        # Causal, and padding is never attended to (a padded step attends to itself only, so
        # its softmax is defined; its state is never used).
        causal = torch.ones(length, length, dtype=torch.bool, device=items.device).tril()
        keys = (items > 0).unsqueeze(1) | torch.eye(length, dtype=torch.bool, device=items.device)
        allowed = causal.unsqueeze(0) & keys
        mask = (~allowed).repeat_interleave(self.config.heads, dim=0)
        return self.norm(self.encoder(x, mask=mask, is_causal=False))

    def item_table(self) -> torch.Tensor:
        """(n_items + 1, hidden) item vectors, shelf vectors added; row 0 (padding) is unused."""
        if self.groups.num_embeddings == 1:
            return self.items.weight  # no shelves: skip a gather of the whole table per step
        return self.items.weight + self.groups(self.group_of)


def repeat_share(sequences: list[list[int]]) -> float:
    """How often the next item is one already in the sequence, smoothed so it is never 0 or 1."""
    steps = repeats = 0
    for items in sequences:
        seen: set[int] = set()
        for position, item in enumerate(items):
            if position > 0:
                steps += 1
                repeats += item in seen
            seen.add(item)
    return (repeats + 1) / (steps + 2)


def mix_repeats(logits: torch.Tensor, histories: list[list[int]], share: float) -> torch.Tensor:
    """Log-probabilities of a two-way mixture: with probability `share` the next item is one of
    the history's items, else a new one; within each side the network's softmax decides.

    Self-attention with shared input/output vectors scores the items just read highly, while
    in shops where nobody buys the same thing twice (the share learnt from training is ~0.5%
    on Amazon reviews) those are the least likely next items; where repeats are common
    (groceries) the share is high and they keep their place. Learnt from data, not set by hand.
    """
    log_p = torch.log_softmax(logits, dim=1)
    seen = torch.zeros_like(log_p, dtype=torch.bool)
    for row, history in enumerate(histories):
        if history:
            seen[row, torch.tensor(sorted(set(history))) - 1] = True
    minus_inf = float("-inf")
    seen_mass = torch.logsumexp(log_p.masked_fill(~seen, minus_inf), dim=1, keepdim=True)
    new_mass = torch.logsumexp(log_p.masked_fill(seen, minus_inf), dim=1, keepdim=True)
    return torch.where(
        seen, math.log(share) + log_p - seen_mass, math.log1p(-share) + log_p - new_mass
    )
