"""The ranker's feature list and row builder, shared by training and serving so they never drift."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

FEATURES = [
    "index_score",
    "price",
    "price_rel_category",
    "rating",
    "rating_count",
    "in_stock",
    "popularity",
    "ctr_7d",
    "orders_7d",
    "category_match",
    "brand_match",
]

# What a product without a gold row looks like: a new listing, priced at its category's median,
# with the smoothed click-through prior (clicks+1)/(impressions+20) at zero traffic.
DEFAULTS: dict[str, float] = {
    "index_score": 0.0,
    "price": 0.0,
    "price_rel_category": 1.0,
    "rating": 0.0,
    "rating_count": 0.0,
    "in_stock": 1.0,
    "popularity": 0.0,
    "ctr_7d": 1.0 / 20.0,
    "orders_7d": 0.0,
}


def _number(value: Any, default: float) -> float:
    if value is None:
        return default
    try:
        number = float(value)
    except (TypeError, ValueError):
        return default
    return default if math.isnan(number) else number


def _same(left: Any, right: Any) -> float:
    if not left or not right or (isinstance(left, float) and math.isnan(left)):
        return 0.0
    return 1.0 if str(left) == str(right) else 0.0


def feature_row(values: Mapping[str, Any]) -> dict[str, float]:
    """FEATURES from one merged record: product values, index score, customer tops."""
    row = {name: _number(values.get(name), default) for name, default in DEFAULTS.items()}
    row["category_match"] = _same(values.get("top_category"), values.get("category"))
    row["brand_match"] = _same(values.get("top_brand"), values.get("brand"))
    return row


def rows_for(
    candidates: Sequence[Mapping[str, Any]],
    product_features: Mapping[str, Mapping[str, Any]],
    customer_features: Mapping[str, Any] | None,
) -> list[dict]:
    """One feature dict per candidate (plus its product_id), in candidate order.

    The candidate's own price, rating and stock come from the live index and win over the
    (up to a day older) Feast values; the rest comes from Feast or DEFAULTS.
    """
    customer = customer_features or {}
    rows = []
    for candidate in candidates:
        stored = product_features.get(candidate["product_id"]) or {}
        merged = {key: value for key, value in stored.items() if value is not None}
        for key in ("category", "brand", "price", "rating"):
            if candidate.get(key) is not None:
                merged[key] = candidate[key]
        if candidate.get("stock") is not None:
            merged["in_stock"] = 1 if candidate["stock"] > 0 else 0
        merged["index_score"] = candidate.get("score")
        merged["top_category"] = customer.get("top_category")
        merged["top_brand"] = customer.get("top_brand")
        rows.append({"product_id": candidate["product_id"], **feature_row(merged)})
    return rows
