"""The ranker's feature list and row builder, shared by training and serving so they never drift.

FEATURES has two parts, each declared once: the numeric fields of the ranker's Feast feature
service (read as they are), and the request-time features computed here from the query, the
candidate and the shopper (text matches, title similarity, index score, shopper affinity). The
service's text and list fields (category, brand, recent products) feed the request-time part.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from features.declared import is_numeric, service_fields
from features.repo.definitions import RANKER_SERVICE
from models.ranker.text import share_found

REQUEST_TIME = [
    "index_score",
    "query_in_title",
    "query_in_brand",
    "query_in_category",
    "title_similarity",
    "category_affinity",
    "brand_affinity",
]


def stored_features(service: str = RANKER_SERVICE) -> list[str]:
    """The numeric fields of the ranker's feature service, in declaration order."""
    return [f.name for fields in service_fields(service).values() for f in fields
            if is_numeric(f.dtype)]  # fmt: skip


def ranker_features(service: str = RANKER_SERVICE) -> list[str]:
    return [*REQUEST_TIME, *stored_features(service)]


FEATURES = ranker_features()
STORED = stored_features()

# What a product without a gold row looks like: a new listing, priced at its category's median,
# with the smoothed click-through prior (clicks+1)/(impressions+20) at zero traffic. Features not
# named here default to 0.
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
    "family_ctr_7d": 1.0 / 20.0,
    "family_orders_7d": 0.0,
}


class Similarity(Protocol):
    def similarities(
        self, query: str, product_ids: Sequence[str], titles: Sequence[str]
    ) -> np.ndarray: ...


@dataclass(frozen=True)
class ShopperProfile:
    """Share of a shopper's recent products in each category and brand."""

    categories: Mapping[str, float] = field(default_factory=dict)
    brands: Mapping[str, float] = field(default_factory=dict)

    def affinity(self, category: Any, brand: Any) -> tuple[float, float]:
        """(category_affinity, brand_affinity) of a candidate with this category and brand."""
        return (
            self.categories.get(_text(category), 0.0) if _text(category) else 0.0,
            self.brands.get(_text(brand), 0.0) if _text(brand) else 0.0,
        )


def shopper_profile(
    recent_products: Sequence[str] | None, catalog: Mapping[str, Mapping[str, Any]]
) -> ShopperProfile | None:
    """The one affinity computation of training and serving. `recent_products` are the shopper's
    (features.activity), `catalog` maps product ids to their {category, brand} (serving: the
    search index docs; training: gold product_features). The share is over all recent products:
    one whose category is unknown counts for none. None when there is no history."""
    recent = [str(p) for p in recent_products or ()]
    if not recent:
        return None
    known = [catalog.get(p) or {} for p in recent]
    categories = Counter(_text(k.get("category")) for k in known)
    brands = Counter(_text(k.get("brand")) for k in known)
    return ShopperProfile(
        {c: n / len(recent) for c, n in categories.items() if c},
        {b: n / len(recent) for b, n in brands.items() if b},
    )


def _number(value: Any, default: float) -> float:
    if value is None:
        return default
    try:
        number = float(value)
    except (TypeError, ValueError):
        return default
    return default if math.isnan(number) else number


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def rows_for(
    candidates: Sequence[Mapping[str, Any]],
    product_features: Mapping[str, Mapping[str, Any]],
    shopper: ShopperProfile | None,
    query: str = "",
    embeddings: Similarity | None = None,
) -> list[dict]:
    """One feature dict per candidate (plus its product_id), in candidate order.

    `candidates` are `{product_id, score, title, category, brand, price, rating, stock}`; their
    own price, rating and stock come from the live index and win over the (up to a day older)
    Feast values; the rest comes from Feast or DEFAULTS. Without `embeddings` the similarity is 0;
    without a `shopper` (anonymous, or no history) the affinities are 0.
    """
    titles = [_text(c.get("title")) for c in candidates]
    ids = [str(c["product_id"]) for c in candidates]
    similar = (
        embeddings.similarities(query, ids, titles)
        if embeddings is not None and candidates
        else np.zeros(len(candidates))
    )
    profile = shopper or ShopperProfile()
    rows = []
    for candidate, title, similarity in zip(candidates, titles, similar, strict=True):
        stored = product_features.get(candidate["product_id"]) or {}
        merged = {key: value for key, value in stored.items() if value is not None}
        for key in ("category", "brand", "price", "rating"):
            if candidate.get(key) is not None:
                merged[key] = candidate[key]
        if candidate.get("stock") is not None:
            merged["in_stock"] = 1 if candidate["stock"] > 0 else 0
        row = {name: _number(merged.get(name), DEFAULTS.get(name, 0.0)) for name in STORED}
        row["index_score"] = _number(candidate.get("score"), DEFAULTS["index_score"])
        row["query_in_title"] = share_found(query, title)
        row["query_in_brand"] = share_found(query, _text(merged.get("brand")))
        row["query_in_category"] = share_found(query, _text(merged.get("category")))
        row["title_similarity"] = float(similarity)
        affinity = profile.affinity(merged.get("category"), merged.get("brand"))
        row["category_affinity"], row["brand_affinity"] = affinity
        rows.append({"product_id": candidate["product_id"], **row})
    return rows
