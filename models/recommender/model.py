"""The store's recommender network and the vocabulary every scoring module is read through.

`StoreRecommender` (kind `sasrec`, a name older than its network) mixes three next-item
distributions with shares chosen on the validation shoppers: a next-item network (BSARec or
SASRec) whose product vectors come from the products' titles and categories, item-kNN over
co-occurrence, and title similarity to the last products. The history is the
module's input, read at request time; nothing about a shopper is stored in the model.
"""

from __future__ import annotations

import logging
import math
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from torch import nn

from models.recommender.bsarec import BSARec, BSARecConfig
from models.recommender.sasrec import NextItemNetwork, SASRec, SASRecConfig
from models.recommender.scorers import ContentScorer, CoOccurrenceScorer, next_item_distribution

log = logging.getLogger(__name__)
SCHEMA = 4  # 4: histories are the input, saved as pt2; versions before it are not loaded
MAX_LEN = 50
CHUNK = 256  # histories scored per forward call


class TitleTable(nn.Module):
    """Product vectors from titles: a learnt projection of each title vector plus its shelf
    (category) vector; a product without a title keeps its own learnt vector instead. With a
    few hundred shoppers, free vectors for thousands of products overfit (validation NDCG@10
    0.03 against 0.07 with titles): titles let a rarely touched product score like its
    look-alikes."""

    titles: torch.Tensor
    untitled: torch.Tensor
    group_of: torch.Tensor

    def __init__(self, hidden: int, groups: list[int] | None, titles: np.ndarray) -> None:
        super().__init__()
        titles = np.asarray(titles, dtype=np.float32)
        known = np.linalg.norm(titles, axis=1) > 0
        self.register_buffer("titles", torch.from_numpy(titles))
        self.register_buffer("untitled", torch.from_numpy(~known).float().unsqueeze(-1))
        group_of = torch.tensor(groups if groups is not None else [0] * len(titles))
        self.register_buffer("group_of", group_of)
        self.groups = nn.Embedding(int(group_of.max()) + 1, hidden, padding_idx=0)
        nn.init.normal_(self.groups.weight, std=1.0 / math.sqrt(hidden))
        self.project = nn.Linear(titles.shape[1], hidden, bias=False)
        if known.sum() > hidden:
            # Start from the titles' main directions, so epoch one already sees look-alikes.
            _, _, directions = np.linalg.svd(titles[known], full_matrices=False)
            with torch.no_grad():
                self.project.weight.copy_(torch.from_numpy(directions[:hidden].copy()))
        else:
            nn.init.normal_(self.project.weight, std=1.0 / math.sqrt(titles.shape[1]))

    def forward(self, own: torch.Tensor) -> torch.Tensor:
        """(n_items + 1, hidden) own vectors -> the item table."""
        return own * self.untitled + self.project(self.titles) + self.groups(self.group_of)


class Titled:
    """A network that reads its product vectors from a TitleTable (`titled`)."""

    titled: TitleTable
    items: nn.Embedding

    def item_table(self) -> torch.Tensor:
        return self.titled(self.items.weight)


class TitledSASRec(Titled, SASRec):
    def __init__(
        self, n_items: int, config: SASRecConfig, groups: list[int] | None, titles: np.ndarray
    ) -> None:
        super().__init__(n_items, config)
        self.titled = TitleTable(config.hidden, groups, titles)


class TitledBSARec(Titled, BSARec):
    """Its TitleTable is built after BSARec's own small-normal initialisation, so the projection
    starts from the titles' main directions."""

    def __init__(
        self, n_items: int, config: BSARecConfig, groups: list[int] | None, titles: np.ndarray
    ) -> None:
        super().__init__(n_items, config)
        self.titled = TitleTable(config.hidden, groups, titles)


class StoreRecommender(nn.Module):
    """log((1 - a - b) * network + a * item-kNN + b * title similarity), each a next-item
    distribution; (n, L) left-padded ids (L <= MAX_LEN) -> (n, n_items + 1), column 0 -inf."""

    kind = "sasrec"
    shares: torch.Tensor

    def __init__(
        self,
        network: NextItemNetwork,
        knn: CoOccurrenceScorer,
        content: ContentScorer,
        shares: tuple[float, float, float],
    ) -> None:
        super().__init__()
        self.network, self.knn, self.content = network, knn, content
        self.register_buffer("shares", torch.tensor(shares, dtype=torch.float32))

    def parts(self, items: torch.Tensor) -> list[torch.Tensor]:
        """The three (n, n_items) distributions, in the order of `shares`."""
        network = self.network
        logits = network.catalog_logits(network.last_states(network.window(items)))
        return [
            torch.softmax(logits, dim=1),
            next_item_distribution(self.knn(items)),
            next_item_distribution(self.content(items)),
        ]

    def forward(self, items: torch.Tensor) -> torch.Tensor:
        parts = self.parts(items)
        mixed = self.shares[0] * parts[0] + self.shares[1] * parts[1] + self.shares[2] * parts[2]
        padding = torch.full_like(mixed[:, :1], float("-inf"))
        return torch.cat([padding, torch.log(mixed.clamp_min(1e-30))], dim=1)


class ProductScorer:
    """A scoring module read through its product vocabulary: product i of `item_ids` is item
    i + 1. Histories of product ids in, (n, len(item_ids) + 1) scores out (column 0 -inf)."""

    def __init__(self, module: nn.Module, item_ids: Sequence[str], kind: str) -> None:
        self.module, self.kind = module, kind
        self.item_ids = list(item_ids)
        self.index = {p: i + 1 for i, p in enumerate(self.item_ids)}

    def encode(self, history: Sequence[str]) -> list[int]:
        """Item ids of the products this version knows, in order; unknown ones are skipped."""
        return [self.index[p] for p in history if p in self.index]

    def scores(self, histories: Sequence[Sequence[str]]) -> np.ndarray:
        out = []
        for start in range(0, len(histories), CHUNK):
            encoded = [self.encode(h) for h in histories[start : start + CHUNK]]
            with torch.no_grad():
                out.append(self.module(pad(encoded)).numpy().astype(np.float64))
        if not out:
            return np.zeros((0, len(self.item_ids) + 1))
        scores = np.concatenate(out)
        scores[:, 0] = -np.inf
        return scores


def pad(encoded: list[list[int]]) -> torch.Tensor:
    """(n, L) left-padded ids of each history's last MAX_LEN items; L is at least 2 (exported
    modules are traced with dynamic sizes from 2 up)."""
    recent = [h[-MAX_LEN:] for h in encoded]
    length = max(2, max((len(h) for h in recent), default=0))
    return torch.tensor([[0] * (length - len(h)) + h for h in recent], dtype=torch.long)


class WeightsFolded(nn.Module):
    """An exported scoring module whose steps that read only its weights ran once, at load:
    the item table (each product's title projected, plus its shelf: 5,001 x 384 -> 64, twice a
    call) and the transposed tables. Per request only the history's own steps remain; on the
    store's champion that took one history from 14-25 ms to 2.3 ms on a loaded core."""

    def __init__(self, folded: nn.Module) -> None:
        super().__init__()
        self.folded = folded

    def forward(self, items: torch.Tensor) -> torch.Tensor:
        out = self.folded(items)
        # The folded graph returns its outputs flat: the exported module had one tensor.
        return out[0] if isinstance(out, (tuple, list)) else out


def fold_weights(module: Any) -> Any:
    """`module` with its weight-only steps precomputed, or `module` itself where that cannot be
    done or would change a score (checked on one history here): never a wrong answer faster."""
    from torch.fx import GraphModule
    from torch.fx.experimental.const_fold import split_const_subgraphs

    if not isinstance(module, GraphModule):
        return module
    example = pad([[1, 2]])
    try:
        with warnings.catch_warnings(), torch.no_grad():
            warnings.simplefilter("ignore")  # fx names each lifted weight it cannot re-parent
            folded = split_const_subgraphs(module)
            folded.run_folding()
            candidate = WeightsFolded(folded)
            same = torch.equal(candidate(example), module(example))
    except Exception as error:
        log.warning("scoring module not folded, served as exported: %r", error)
        return module
    if not same:
        log.warning("folding changed the scores: the module is served as exported")
        return module
    return candidate
