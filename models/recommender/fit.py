"""Trains a next-item network with cross-entropy over the whole catalog, keeping the epoch with
the best validation NDCG@10 (early stopping on the second-to-last item, ranked with
the history's items removed as the published protocol and the store's lists do)."""

from __future__ import annotations

import copy
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch

from models.recommender.bsarec import BSARec, BSARecConfig
from models.recommender.catalog_loss import catalog_cross_entropy
from models.recommender.protocol import SEEN_REMOVED, evaluate
from models.recommender.sasrec import NextItemNetwork, SASRec, SASRecConfig, repeat_share
from models.recommender.sequence_file import Split
from storeloop.memory import reuse_freed_memory

log = logging.getLogger(__name__)
EARLY_STOP_METRIC = "ndcg_at_10"
LAST_EPOCHS = 2  # on every item but the test ones, once the validation items chose the rest


@dataclass
class FitReport:
    epochs: int = 0
    best_epoch: int = 0
    best_validation: dict[str, float] = field(default_factory=dict)
    seconds: float = 0.0
    stopped_by: str = "max_epochs"  # or "patience", "time_limit", "no_validation"
    precision: str = "fp32"  # what training's matrix products ran in
    history: list[tuple[int, float, float]] = field(default_factory=list)  # epoch, loss, val


def training_windows(train: list[list[int]], max_len: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Inputs are each sequence but its last item, targets the same shifted by one; both
    left-padded to max_len (the last max_len steps of long sequences)."""
    rows = [items[-(max_len + 1) :] for items in train if len(items) >= 2]
    inputs = torch.zeros(len(rows), max_len, dtype=torch.long)
    targets = torch.zeros(len(rows), max_len, dtype=torch.long)
    for row, items in enumerate(rows):
        steps = len(items) - 1
        inputs[row, max_len - steps :] = torch.tensor(items[:-1])
        targets[row, max_len - steps :] = torch.tensor(items[1:])
    return inputs, targets


def training_prefixes(train: list[list[int]], max_len: int) -> tuple[torch.Tensor, torch.Tensor]:
    """For a network that is not causal: every prefix of every sequence (its last max_len items,
    left-padded) and the item after it, one target per row."""
    inputs, targets = [], []
    for items in train:
        for end in range(1, len(items)):
            prefix = items[max(0, end - max_len) : end]
            inputs.append([0] * (max_len - len(prefix)) + prefix)
            targets.append(items[end])
    if not inputs:
        return torch.zeros(0, max_len, dtype=torch.long), torch.zeros(0, dtype=torch.long)
    return torch.tensor(inputs, dtype=torch.long), torch.tensor(targets, dtype=torch.long)


def network_for(n_items: int, config: SASRecConfig, groups: list[int] | None) -> NextItemNetwork:
    """The untrained network the config describes."""
    if isinstance(config, BSARecConfig):
        if groups is not None:
            raise ValueError("BSARec has no shelf vectors: fit it without groups")
        return BSARec(n_items, config)
    return SASRec(n_items, config, groups)


def training_precision(asked: str) -> str:
    """ "bf16" or "fp32": "auto" is bf16 only on a CPU with AMX tiles, where a bf16 product runs
    several times faster than fp32; elsewhere bf16 is emulated and slower."""
    if asked not in ("auto", "bf16", "fp32"):
        raise ValueError(f"precision must be auto, bf16 or fp32, not {asked!r}")
    if asked == "auto":
        return "bf16" if torch.cpu._is_amx_tile_supported() else "fp32"
    return asked


def fit_sasrec(
    train: list[list[int]],
    validation: Split | None,
    n_items: int,
    config: SASRecConfig,
    groups: list[int] | None = None,
    on_epoch: Callable[[int, float, float], None] | None = None,
    build: Callable[[], NextItemNetwork] | None = None,
) -> tuple[NextItemNetwork, FitReport]:
    """The best-validation network (the last epoch's when `validation` is None or empty): SASRec,
    or BSARec for a BSARecConfig; `groups` are the items' shelves (see SASRec). `build` makes the
    untrained network (e.g. SASRec with title vectors); it is called after seeding, so its initial
    weights are seeded too."""
    reuse_freed_memory()
    torch.manual_seed(config.seed)
    np.random.seed(config.seed)
    order = torch.Generator().manual_seed(config.seed)
    net = build() if build is not None else network_for(n_items, config, groups)
    inputs, targets = _examples(net, train, config)
    net.repeat_share = repeat_share(train)
    optimiser = _optimiser(net, config)
    report, best_state, best = FitReport(), copy.deepcopy(net.state_dict()), -1.0
    report.precision = training_precision(config.precision)
    started = time.monotonic()
    deadline = started + config.max_minutes * 60
    validate = validation is not None and len(validation.targets) > 0
    for epoch in range(1, config.max_epochs + 1):
        epoch_started = time.monotonic()
        loss = _train_epoch(
            net, optimiser, inputs, targets, config.batch_size, order, report.precision == "bf16"
        )
        value = -1.0
        if validate and validation is not None:
            metrics = evaluate(lambda h: net.score(h).numpy(), validation, SEEN_REMOVED)
            value = metrics[EARLY_STOP_METRIC]
            if value > best:
                best, best_state = value, copy.deepcopy(net.state_dict())
                report.best_epoch, report.best_validation = epoch, metrics
        report.epochs = epoch
        report.history.append((epoch, loss, value))
        log.info("epoch %d loss %.4f validation %s %.4f", epoch, loss, EARLY_STOP_METRIC, value)
        if on_epoch is not None:
            on_epoch(epoch, loss, value)
        if validate and epoch - report.best_epoch >= config.patience:
            report.stopped_by = "patience"
            break
        # Stop when another epoch like this one would end past the budget: a limit, not a hint.
        now = time.monotonic()
        if now + (now - epoch_started) > deadline:
            report.stopped_by = "time_limit"
            break
    if validate:
        net.load_state_dict(best_state)
    else:
        report.stopped_by = (
            "no_validation" if report.stopped_by == "max_epochs" else report.stopped_by
        )
    report.seconds = time.monotonic() - started
    net.eval()
    return net, report


def train_on(
    net: NextItemNetwork, sequences: list[list[int]], config: SASRecConfig, epochs: int
) -> float:
    """`epochs` more epochs on `sequences`, with no validation to stop them; the mean loss of the
    last. Early stopping chose the network on the validation items, which it never learnt from;
    this is how it then learns them too (the test items stay unseen), as the neighbour scorers
    already count them."""
    reuse_freed_memory()
    inputs, targets = _examples(net, sequences, config)
    order = torch.Generator().manual_seed(config.seed + 1)
    optimiser = _optimiser(net, config)
    bf16 = training_precision(config.precision) == "bf16"
    loss = float("nan")
    for _ in range(epochs):
        loss = _train_epoch(net, optimiser, inputs, targets, config.batch_size, order, bf16)
    net.eval()
    return loss


def _examples(
    net: NextItemNetwork, sequences: list[list[int]], config: SASRecConfig
) -> tuple[torch.Tensor, torch.Tensor]:
    """A causal network learns every step of a sequence at once; another, each prefix alone."""
    windows = training_windows if net.causal else training_prefixes
    return windows(sequences, config.max_len)


def _optimiser(net: NextItemNetwork, config: SASRecConfig) -> torch.optim.Optimizer:
    # fused: one pass over each tensor per step (2.3 to 0.6 ms on Beauty's shapes, 2 threads)
    betas = (0.9, config.adam_beta2)
    return torch.optim.Adam(net.parameters(), lr=config.lr, betas=betas, fused=True)


def _train_epoch(
    net: NextItemNetwork,
    optimiser: torch.optim.Optimizer,
    inputs: torch.Tensor,
    targets: torch.Tensor,
    batch_size: int,
    order: torch.Generator,
    bf16: bool = False,
) -> float:
    net.train()
    total, steps = 0.0, 0
    # Batches of similar lengths, in random order: most shoppers have a handful of items, and a
    # batch padded to one long history spends most of its attention on padding.
    shuffled = torch.randperm(len(inputs), generator=order)
    lengths = (inputs[shuffled] > 0).sum(dim=1)
    batches = shuffled[torch.argsort(lengths, stable=True)].split(batch_size)
    for which in torch.randperm(len(batches), generator=order).tolist():
        batch = batches[which]
        x, y = inputs[batch], targets[batch]
        length = int((x > 0).sum(dim=1).max())  # cut the all-padding columns on the left
        x = x[:, -length:]
        if net.causal:
            y = y[:, -length:]
            wanted = y > 0  # the loss counts real next items only, never padding
            states, y = net.hidden_states(x)[wanted], y[wanted]
        else:
            states = net.last_states(x)
        loss = catalog_cross_entropy(states, net.item_table()[1:], y - 1, bf16)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        total, steps = total + float(loss.detach()), steps + 1
    return total / max(steps, 1)
