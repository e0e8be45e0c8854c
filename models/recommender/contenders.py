"""Fits one round's contenders on the same training window: the store recommender (network mixed
with item-kNN and title similarity), item-kNN and popularity, all as scoring modules.

Everything chosen from data is chosen on the validation shoppers (each one's second-to-last new
product, predicted from the products before it), never on the held-out last ones: the network's
best epoch, the title kernel's width and popularity lift, and the mixture's shares. The served
neighbours and counts then come from everything but each shopper's held-out product, and the
network trains two more epochs on the same (as the recommender benchmark's network does).
"""

from __future__ import annotations

import itertools
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, cast

import numpy as np
import torch

from models.metrics import full_ranking_ranks
from models.recommender.bsarec import BSARecConfig
from models.recommender.data import Sequences
from models.recommender.fit import LAST_EPOCHS, fit_sasrec, train_on
from models.recommender.model import (
    MAX_LEN,
    ProductScorer,
    StoreRecommender,
    TitledBSARec,
    TitledSASRec,
    pad,
)
from models.recommender.sasrec import NextItemNetwork, SASRecConfig
from models.recommender.scorers import (
    ContentScorer,
    CoOccurrenceScorer,
    PopularityScorer,
    item_counts,
)
from models.recommender.sequence_file import Split, leave_one_out

log = logging.getLogger(__name__)
BATCH = 128
LR = 0.002
NETWORK_MINUTES = 3.0  # of the round's 5: baselines, evaluation, export and logging need the rest
SHARE_STEP = 0.1
WIDTHS = (0.05, 0.1, 0.2)  # title kernel widths tried on validation
LIFTS = (0.0, 0.5, 1.0)  # popularity exponents tried on validation
DEFAULT_CONTENT = (0.1, 0.5)
TITLE_DIMENSIONS = 384
STORE_NETWORK = "bsarec"  # as the benchmark's; on the store's shoppers the two tie (README)


@dataclass
class Contenders:
    """`scorers`: the gate's contenders by name (sasrec, item_knn, popularity); `parts`: the
    store recommender's components alone, for the run's metrics only."""

    item_ids: list[str]
    scorers: dict[str, ProductScorer]
    parts: dict[str, ProductScorer]
    params: dict[str, Any] = field(default_factory=dict)


def fit_contenders(
    sequences: Sequences,
    titles: dict[str, np.ndarray],
    *,
    epochs: int,
    seed: int,
    network_minutes: float = NETWORK_MINUTES,
    network_kind: str = STORE_NETWORK,
) -> Contenders:
    products = sorted(
        set(sequences.categories) | {p for items in sequences.full.values() for p in items}
    )
    index = {p: i + 1 for i, p in enumerate(products)}
    n_items = len(products)

    def encode(items: list[str]) -> list[int]:
        return [index[p] for p in items]

    split = leave_one_out([encode(items) for items in sequences.full.values()])
    seen = [encode(items) for items in sequences.train.values()]
    vectors = title_matrix(products, titles)
    names = sorted({sequences.categories.get(p, "") for p in products})
    shelves = [0] + [1 + names.index(sequences.categories.get(p, "")) for p in products]
    config, build = store_network(network_kind, n_items, split.train, shelves, vectors)
    config = replace(config, max_epochs=epochs, max_len=MAX_LEN, max_minutes=network_minutes,
                     seed=seed)  # fmt: skip
    started = time.monotonic()
    network, report = fit_sasrec(
        split.train, split.validation, n_items, config, build=lambda: build(config)
    )
    network.eval()
    params: dict[str, Any] = {
        "best_epoch": report.best_epoch, "epochs_run": report.epochs,
        "stopped_by": report.stopped_by, "network_s": round(time.monotonic() - started, 1),
        "network": type(network).__name__,
        "titled_products": int((np.linalg.norm(vectors, axis=1) > 0).sum()),
    }  # fmt: skip
    log.info("recommender network: best epoch %d of %d", report.best_epoch, report.epochs)

    # The validation view: neighbours and counts from the sequences before each validation item.
    width, lift = choose_content(vectors, item_counts(split.train, n_items), split.validation)
    validation_model = StoreRecommender(
        network,
        CoOccurrenceScorer.fit(split.train, n_items),
        ContentScorer(vectors, item_counts(split.train, n_items), width, lift),
        (1.0, 0.0, 0.0),
    )
    shares = choose_shares(validation_model, split.validation)
    params |= {"content_width": width, "content_lift": lift, "shares": list(shares)}
    log.info("recommender shares (network, item-kNN, titles): %s", shares)

    # Then the network learns the validation items too, as the neighbour scorers count them;
    # never more epochs than the round asked for (0: the untrained network).
    started, last_epochs = time.monotonic(), min(LAST_EPOCHS, epochs)
    train_on(network, seen, config, last_epochs)
    params |= {"last_epochs": last_epochs, "last_epochs_s": round(time.monotonic() - started, 1)}
    counts = item_counts(seen, n_items)
    knn = CoOccurrenceScorer.fit(seen, n_items)
    content = ContentScorer(vectors, counts, width, lift)
    store = StoreRecommender(network, knn, content, shares)
    scorers = {
        "sasrec": ProductScorer(store, products, "sasrec"),
        "item_knn": ProductScorer(knn, products, "item_knn"),
        "popularity": ProductScorer(PopularityScorer(counts), products, "popularity"),
    }
    parts = {
        "network_only": ProductScorer(StoreRecommender(network, knn, content, (1, 0, 0)), products,
                                      "sasrec"),
        "titles_only": ProductScorer(content, products, "content"),
    }  # fmt: skip
    return Contenders(products, scorers, parts, params)


def store_network(
    kind: str, n_items: int, train: list[list[int]], shelves: list[int], vectors: np.ndarray
) -> tuple[SASRecConfig, Callable[[SASRecConfig], NextItemNetwork]]:
    """The store's network of `kind` (bsarec or sasrec) reading title vectors: its settings and
    how to build it. A few hundred shoppers still need several optimiser steps per epoch to
    learn anything: a batch is at most an eighth of the epoch's examples (sequences for SASRec,
    prefixes for BSARec)."""
    if kind == "bsarec":
        prefixes = sum(max(0, len(items) - 1) for items in train)
        bsarec = BSARecConfig()
        bsarec = replace(bsarec, batch_size=min(bsarec.batch_size, max(4, prefixes // 8)))
        return bsarec, lambda config: TitledBSARec(
            n_items, cast(BSARecConfig, config), shelves, vectors
        )
    if kind == "sasrec":
        sasrec = replace(SASRecConfig(), batch_size=min(BATCH, max(4, len(train) // 8)), lr=LR)
        return sasrec, lambda config: TitledSASRec(n_items, config, shelves, vectors)
    raise ValueError(f"the store's network is bsarec or sasrec, not {kind!r}")


def title_matrix(products: list[str], titles: dict[str, np.ndarray]) -> np.ndarray:
    """(n_items + 1, 384) unit title vectors by item id; zero for padding and untitled ones."""
    matrix = np.zeros((len(products) + 1, TITLE_DIMENSIONS), dtype=np.float32)
    for i, product in enumerate(products, start=1):
        vector = titles.get(product)
        if vector is not None and len(vector) == TITLE_DIMENSIONS:
            matrix[i] = vector
    return matrix


def choose_content(
    vectors: np.ndarray, counts: np.ndarray, validation: Split
) -> tuple[float, float]:
    """The title kernel's (width, lift) with the best validation NDCG@10, on its own."""
    if not validation.targets or not (np.linalg.norm(vectors, axis=1) > 0).any():
        return DEFAULT_CONTENT
    items = pad(validation.histories)
    best, chosen = -1.0, DEFAULT_CONTENT
    for width, lift in itertools.product(WIDTHS, LIFTS):
        with torch.no_grad():
            scores = ContentScorer(vectors, counts, width, lift)(items)[:, 1:].numpy()
        value = validation_ndcg(scores, validation)
        if value > best:
            best, chosen = value, (width, lift)
    return chosen


def choose_shares(model: StoreRecommender, validation: Split) -> tuple[float, float, float]:
    """(network, item-kNN, titles) shares on a 0.1 grid with the best validation NDCG@10; ties
    keep the earlier grid point, so the network alone wins a tie."""
    if not validation.targets:
        return (1.0, 0.0, 0.0)
    with torch.no_grad():
        parts = [p.numpy().astype(np.float64) for p in model.parts(pad(validation.histories))]
    steps = round(1 / SHARE_STEP)
    best, chosen = -1.0, (1.0, 0.0, 0.0)
    for a, b in itertools.product(range(steps + 1), repeat=2):
        if a + b > steps:
            continue
        shares = ((steps - a - b) / steps, a / steps, b / steps)
        mixed = sum(s * p for s, p in zip(shares, parts, strict=True))
        value = validation_ndcg(np.asarray(mixed), validation)
        if value > best + 1e-12:
            best, chosen = value, shares
    return chosen


def validation_ndcg(scores: np.ndarray, validation: Split, k: int = 10) -> float:
    """Mean NDCG@k of (n, n_items) scores (column j is item j + 1), each history left out."""
    scores = np.array(scores, dtype=np.float64)
    for row, history in enumerate(validation.histories):
        scores[row, np.asarray(history, dtype=np.int64) - 1] = -np.inf
    ranks = full_ranking_ranks(scores, np.asarray(validation.targets) - 1)
    return float(np.where(ranks < k, 1.0 / np.log2(ranks + 2.0), 0.0).mean())
