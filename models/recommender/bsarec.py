"""BSARec (Shin et al., AAAI 2024, "beyond self-attention"): each block mixes self-attention with
a frequency filter over the history, which keeps its slow trend (the lowest frequencies) and
rescales the rest by a learnt gain per dimension; post-norm blocks, layer-normed embeddings and
the paper's Beauty settings (dropout 0.5, lr 5e-4, 256 prefixes a step).

The filter runs over the whole window, padding included, as in the paper's code: its padded
steps carry their position vectors, so even a history of a few items is smoothed against them
(a filter over the history's own items only passed short histories through untouched and scored
Beauty's test items 5% worse). A history is therefore always scored padded to the full window
(`pad`), alone or in a batch; training cuts each batch's all-padding columns, a window as long as
its longest prefix, which took an epoch from 110 s to 24 s on 2 cores (validation, scored on the
full window, followed the paper's log epoch by epoch). The filter sees every step of the window,
later ones too, so the network is not causal and learns from each training prefix on its own.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional as F

from models.recommender.sasrec import NextItemNetwork, SASRecConfig


@dataclass(frozen=True)
class BSARecConfig(SASRecConfig):
    """The paper's Beauty settings; `batch_size` counts prefixes (one target each)."""

    dropout: float = 0.5
    lr: float = 5e-4
    batch_size: int = 256
    adam_beta2: float = 0.999
    filter_share: float = 0.7  # alpha: the filter's share of each block, attention the rest
    filter_keep: int = 5  # c: the low-pass keeps c // 2 + 1 frequencies


class ByteDropout(nn.Module):
    """Dropout drawing one random byte per element: torch's draws a float through bernoulli_,
    which on CPU took a third of a training step here (p is rounded to 1/256)."""

    def __init__(self, p: float) -> None:
        super().__init__()
        self.p = p
        self.below = round(p * 256)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training or self.below == 0:
            return x
        kept = torch.empty(x.shape, dtype=torch.uint8).random_() >= self.below
        return x * kept * (256 / (256 - self.below))


def low_pass_projections(max_len: int, keep: int) -> torch.Tensor:
    """(max_len + 1, max_len, max_len): entry n (its first n rows and columns) projects a window
    of n steps onto its `keep` lowest real-FFT frequencies, as rfft, zeroing, irfft would."""
    out = torch.zeros(max_len + 1, max_len, max_len)
    for n in range(1, max_len + 1):
        spectrum = torch.fft.rfft(torch.eye(n), dim=0, norm="ortho")
        spectrum[keep:] = 0
        out[n, :n, :n] = torch.fft.irfft(spectrum, n=n, dim=0, norm="ortho")
    return out


class BSARecBlock(nn.Module):
    def __init__(self, config: BSARecConfig) -> None:
        super().__init__()
        hidden = config.hidden
        self.heads, self.share = config.heads, config.filter_share
        self.attention_dropout = config.dropout
        self.gain_root = nn.Parameter(torch.randn(1, 1, hidden))  # high frequencies * its square
        self.filter_norm = nn.LayerNorm(hidden, eps=1e-12)
        self.qkv = nn.Linear(hidden, 3 * hidden)
        self.out = nn.Linear(hidden, hidden)
        self.attention_norm = nn.LayerNorm(hidden, eps=1e-12)
        self.up = nn.Linear(hidden, 4 * hidden)
        self.down = nn.Linear(4 * hidden, hidden)
        self.feed_norm = nn.LayerNorm(hidden, eps=1e-12)
        self.dropout = ByteDropout(config.dropout)

    def forward(
        self, x: torch.Tensor, mask: torch.Tensor, low_pass: torch.Tensor, last: bool = False
    ) -> torch.Tensor:
        """(n, L, hidden) -> (n, L, hidden), or (n, 1, hidden) for the last step only (`last`):
        the final block's other steps are never read, and their feed-forward was a fifth of a
        training step."""
        n, length, hidden = x.shape
        here = x[:, -1:] if last else x
        if last:
            low_pass, mask = low_pass[-1:], mask[:, :, -1:]
        low = low_pass @ x
        filtered = self.filter_norm(self.dropout(low + self.gain_root**2 * (here - low)) + here)
        weight, bias = self.qkv.weight, self.qkv.bias
        q = F.linear(here, weight[:hidden], bias[:hidden])
        k, v = F.linear(x, weight[hidden:], bias[hidden:]).chunk(2, dim=-1)
        q, k, v = (
            part.view(n, -1, self.heads, hidden // self.heads).transpose(1, 2) for part in (q, k, v)
        )
        attended = F.scaled_dot_product_attention(
            q, k, v, attn_mask=mask,
            dropout_p=self.attention_dropout if self.training else 0.0,
        )  # fmt: skip
        attended = self.out(attended.transpose(1, 2).reshape(n, -1, hidden))
        attended = self.attention_norm(self.dropout(attended) + here)
        h = self.share * filtered + (1 - self.share) * attended
        return self.feed_norm(self.dropout(self.down(F.gelu(self.up(h)))) + h)


class BSARec(NextItemNetwork):
    causal = False
    full_window = True  # the filter reads the padding
    low_pass: torch.Tensor

    def __init__(self, n_items: int, config: BSARecConfig) -> None:
        super().__init__(n_items, config)
        self.recency = nn.Embedding(config.max_len, config.hidden)  # counted back from the last
        self.norm = nn.LayerNorm(config.hidden, eps=1e-12)
        self.dropout = ByteDropout(config.dropout)
        self.blocks = nn.ModuleList(BSARecBlock(config) for _ in range(config.blocks))
        keep = config.filter_keep // 2 + 1
        self.register_buffer("low_pass", low_pass_projections(config.max_len, keep), False)
        for module in self.modules():
            if isinstance(module, (nn.Linear, nn.Embedding)):
                nn.init.normal_(module.weight, std=0.02)
            if isinstance(module, nn.Linear) and module.bias is not None:
                nn.init.zeros_(module.bias)

    def hidden_states(self, items: torch.Tensor) -> torch.Tensor:
        return self._encode(items, last=False)

    def last_states(self, items: torch.Tensor) -> torch.Tensor:
        return self._encode(items, last=True)[:, -1]

    def _encode(self, items: torch.Tensor, last: bool) -> torch.Tensor:
        n, length = items.shape
        recency = torch.arange(length - 1, -1, -1, device=items.device)
        x = self.dropout(self.norm(self.item_table()[items] + self.recency(recency)))
        # Each step attends to the real steps up to it; a padded step, which has none, to all
        # steps alike (the paper's additive mask: its softmax is then uniform).
        causal = torch.ones(length, length, dtype=torch.bool, device=items.device).tril()
        allowed = causal & (items > 0)[:, None, :]
        mask = torch.zeros(allowed.shape).masked_fill_(~allowed, -10000.0).unsqueeze(1)
        low_pass = self.low_pass[length, :length, :length]
        for index, block in enumerate(self.blocks):
            x = block(x, mask, low_pass, last=last and index == len(self.blocks) - 1)
        return x
