"""Per-customer interaction sequences from the training set; held out = each customer's last one."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from models.errors import TrainingDataError

REQUIRED = ["customer_id", "product_id", "event_timestamp"]


@dataclass
class Sequences:
    """Time-ordered product ids per customer, and the held-out (history, next item) cases."""

    full: dict[str, list[str]]
    train: dict[str, list[str]]
    held_out: list[tuple[str, list[str], str]]  # customer, history before, the item that came next


def interaction_sequences(frame: pd.DataFrame) -> Sequences:
    missing = [column for column in REQUIRED if column not in frame.columns]
    if missing:
        raise TrainingDataError("corrupt_window", f"interactions lack columns {missing}")
    frame = frame.dropna(subset=REQUIRED)
    if frame.empty:
        raise TrainingDataError("empty_window", "no interactions in the training window")
    ordered = frame.sort_values(["customer_id", "event_timestamp"], kind="stable")
    full = {
        str(customer): [str(p) for p in group["product_id"]]
        for customer, group in ordered.groupby("customer_id", sort=True)
    }
    train: dict[str, list[str]] = {}
    held_out: list[tuple[str, list[str], str]] = []
    for customer, items in full.items():
        if len(items) >= 2:
            train[customer] = items[:-1]
            held_out.append((customer, items[:-1], items[-1]))
        else:
            train[customer] = items  # one interaction: still teaches popularity, nothing to test
    if not held_out:
        raise TrainingDataError(
            "window_too_short", "no customer has two interactions to hold one out"
        )
    return Sequences(full=full, train=train, held_out=held_out)


def popularity(sequences: dict[str, list[str]]) -> dict[str, float]:
    """Share of interactions per product, most popular first."""
    counts = pd.Series([p for items in sequences.values() for p in items]).value_counts()
    return {str(p): float(c) / float(counts.sum()) for p, c in counts.items()}
