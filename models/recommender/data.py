"""Per-customer sequences of distinct products; held out = each customer's last new product.

A click, cart add and purchase of one product are one step, not three: otherwise "the next
interaction" is mostly the purchase of the item just clicked, and repeating it looks like skill.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from models.errors import TrainingDataError
from storeloop.settings import Settings

REQUIRED = ["customer_id", "product_id", "event_timestamp"]
PURCHASE_WEIGHT = 3  # gold interactions: click 1, cart 2, purchase 3
UNKNOWN_CATEGORY = ""


@dataclass
class Sequences:
    """Distinct products per customer in order of first contact, and the held-out cases."""

    full: dict[str, list[str]]
    train: dict[str, list[str]]
    held_out: list[tuple[str, list[str], str]]  # customer, history before, the next new product
    purchased: dict[str, set[str]]  # products each customer bought (never recommended again)
    categories: dict[str, str]  # product -> category, "" when the catalog never said


def interaction_sequences(frame: pd.DataFrame, catalog: dict[str, str] | None = None) -> Sequences:
    """`catalog` maps every product the store sells to its category (see catalog_categories)."""
    missing = [column for column in REQUIRED if column not in frame.columns]
    if missing:
        raise TrainingDataError("corrupt_window", f"interactions lack columns {missing}")
    frame = frame.dropna(subset=REQUIRED)
    if frame.empty:
        raise TrainingDataError("empty_window", "no interactions in the training window")
    frame = frame.assign(
        customer_id=frame["customer_id"].astype(str),
        product_id=frame["product_id"].astype(str),
        weight=frame["weight"] if "weight" in frame.columns else 1,
    )
    # One row per (customer, product): first contact orders the sequence, strongest weight wins.
    steps = (
        frame.groupby(["customer_id", "product_id"], sort=False)
        .agg(first_at=("event_timestamp", "min"), weight=("weight", "max"))
        .reset_index()
        .sort_values(["customer_id", "first_at", "product_id"], kind="stable")
    )
    full = {c: list(g["product_id"]) for c, g in steps.groupby("customer_id", sort=True)}
    bought = steps[steps["weight"] >= PURCHASE_WEIGHT]
    purchased = {c: set(g["product_id"]) for c, g in bought.groupby("customer_id")}
    train: dict[str, list[str]] = {}
    held_out: list[tuple[str, list[str], str]] = []
    for customer, items in full.items():
        if len(items) >= 2:
            train[customer] = items[:-1]
            held_out.append((customer, items[:-1], items[-1]))
        else:
            train[customer] = items  # one product: still teaches popularity, nothing to test
    if not held_out:
        raise TrainingDataError(
            "window_too_short", "no customer has two distinct products to hold one out"
        )
    categories = {**(catalog or {}), **product_categories(frame)}
    return Sequences(full, train, held_out, purchased, categories)


def as_families(
    frame: pd.DataFrame, catalog: dict[str, str], families: dict[str, str]
) -> tuple[pd.DataFrame, dict[str, str]]:
    """A size or colour is not another product (catalog.variants): each variant's interactions
    count for its family, whose key is its parent's product_id; `catalog` likewise."""
    if not families:
        return frame, catalog
    products = frame["product_id"].astype(str)
    frame = frame.assign(product_id=products.map(lambda p: families.get(p, p)))
    return frame, {families.get(p, p): category for p, category in catalog.items()}


def catalog_categories(settings: Settings) -> dict[str, str]:
    """Category of every product in gold product_features: the model ranks the whole catalog,
    not just products touched in the window (that set is enriched with the held-out targets)."""
    from features.gold import FeatureDataError, read_gold

    try:
        products = read_gold(settings, "product_features")
    except FeatureDataError:
        return {}  # no catalog snapshot yet: the touched products are all there is
    return product_categories(products)


def product_categories(frame: pd.DataFrame) -> dict[str, str]:
    """A product's category is a catalog fact, so any row that knows it speaks for all rows (the
    point-in-time join leaves it empty before the first product snapshot)."""
    if "category" not in frame.columns:
        return {}
    known = frame.dropna(subset=["category"]).sort_values("event_timestamp", kind="stable")
    return {str(p): str(c) for p, c in known.groupby("product_id")["category"].last().items()}


def popularity(sequences: dict[str, list[str]]) -> dict[str, float]:
    """Share of (customer, product) steps per product, most popular first (ties by product id)."""
    counts = pd.Series([p for items in sequences.values() for p in items]).value_counts()
    counts = counts.sort_index().sort_values(ascending=False, kind="stable")
    return {str(p): float(c) / float(counts.sum()) for p, c in counts.items()}
