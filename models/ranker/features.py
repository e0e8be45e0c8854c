"""The ranker's feature list and row builder, shared by training and serving so they never drift.

Query-time features (text matches, title embedding similarity) are computed here from the query
and the candidate's title; product and shopper features come from Feast.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

import numpy as np

from models.ranker.text import share_found

FEATURES = [
    "index_score",
    "query_in_title",
    "query_in_brand",
    "query_in_category",
    "title_similarity",
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


class Similarity(Protocol):
    def similarities(
        self, query: str, product_ids: Sequence[str], titles: Sequence[str]
    ) -> np.ndarray: ...


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


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def rows_for(
    candidates: Sequence[Mapping[str, Any]],
    product_features: Mapping[str, Mapping[str, Any]],
    customer_features: Mapping[str, Any] | None,
    query: str = "",
    embeddings: Similarity | None = None,
) -> list[dict]:
    """One feature dict per candidate (plus its product_id), in candidate order.

    `candidates` are `{product_id, score, title, category, brand, price, rating, stock}`; their
    own price, rating and stock come from the live index and win over the (up to a day older)
    Feast values; the rest comes from Feast or DEFAULTS. Without `embeddings` the similarity is 0.
    """
    customer = customer_features or {}
    titles = [_text(c.get("title")) for c in candidates]
    ids = [str(c["product_id"]) for c in candidates]
    similar = (
        embeddings.similarities(query, ids, titles)
        if embeddings is not None and candidates
        else np.zeros(len(candidates))
    )
    rows = []
    for candidate, title, similarity in zip(candidates, titles, similar, strict=True):
        stored = product_features.get(candidate["product_id"]) or {}
        merged = {key: value for key, value in stored.items() if value is not None}
        for key in ("category", "brand", "price", "rating"):
            if candidate.get(key) is not None:
                merged[key] = candidate[key]
        if candidate.get("stock") is not None:
            merged["in_stock"] = 1 if candidate["stock"] > 0 else 0
        merged["index_score"] = candidate.get("score")
        row = {name: _number(merged.get(name), default) for name, default in DEFAULTS.items()}
        row["query_in_title"] = share_found(query, title)
        row["query_in_brand"] = share_found(query, _text(merged.get("brand")))
        row["query_in_category"] = share_found(query, _text(merged.get("category")))
        row["title_similarity"] = float(similarity)
        row["category_match"] = _same(customer.get("top_category"), merged.get("category"))
        row["brand_match"] = _same(customer.get("top_brand"), merged.get("brand"))
        rows.append({"product_id": candidate["product_id"], **row})
    return rows
