"""Facet aggregations (Elasticsearch-style JSON, which tantivy speaks) and their response form."""

from __future__ import annotations

from typing import Any

from contracts.categories import ancestor_paths
from serving.search.index.port import (
    FACET_LEVELS,
    LEVEL_FIELDS,
    PRICE_BUCKETS,
    RATING_STEPS,
    QuerySpec,
)

FACET_SIZE = 20


def _bucket_key(low: float | None, high: float | None) -> str:
    if low is None:
        return f"<{high:g}"
    return f"{low:g}+" if high is None else f"{low:g}-{high:g}"


def _range(low: float | None, high: float | None) -> dict[str, Any]:
    bounds = {"from": low, "to": high, "key": _bucket_key(low, high)}
    return {key: value for key, value in bounds.items() if value is not None}


FACET_AGGS: dict[str, Any] = {
    "brand": {"terms": {"field": "brand_key", "size": FACET_SIZE}},
    "category": {"terms": {"field": "category_key", "size": FACET_SIZE}},
    "price": {"range": {"field": "price", "ranges": [_range(lo, hi) for lo, hi in PRICE_BUCKETS]}},
    # Whole-star bands, summed below into "4+", "3+", ... (ranges here may not overlap).
    "rating": {
        "range": {
            "field": "rating",
            "ranges": [_range(s, s + 1) for s in range(0, 5)] + [_range(5.0, None)],
        }
    },
}


def facet_aggs(spec: QuerySpec) -> dict[str, Any]:
    """The aggregations for `spec`: the usual ones, plus the category nodes of one level when
    asked (an aggregation more per search, so only then)."""
    level = spec.category_level
    if level is None or not 1 <= level <= FACET_LEVELS:
        return FACET_AGGS
    field = LEVEL_FIELDS[level - 1]
    return {**FACET_AGGS, "category_tree": {"terms": {"field": field, "size": FACET_SIZE}}}


def facets_from(result: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Aggregation output to `{"brand": [{"value", "count"}], ...}`; empty buckets dropped.
    A level's category nodes also carry their slug `path`, what a `category:` filter takes."""
    facets: dict[str, list[dict[str, Any]]] = {}
    if "category_tree" in result:
        facets["category_tree"] = [
            {"value": b["key"], "path": ancestor_paths(b["key"])[-1], "count": int(b["doc_count"])}
            for b in result["category_tree"].get("buckets", [])
            if b["key"]
        ]
    for name in ("brand", "category"):
        buckets = result.get(name, {}).get("buckets", [])
        facets[name] = [{"value": b["key"], "count": int(b["doc_count"])} for b in buckets]
    counts = {b["key"]: int(b["doc_count"]) for b in result.get("price", {}).get("buckets", [])}
    facets["price"] = [
        {"value": key, "count": counts[key]}
        for key in (_bucket_key(lo, hi) for lo, hi in PRICE_BUCKETS)
        if counts.get(key)
    ]
    bands = {
        b.get("from", 0.0): int(b["doc_count"]) for b in result.get("rating", {}).get("buckets", [])
    }
    facets["rating"] = [
        {"value": f"{step:g}+", "count": total}
        for step in RATING_STEPS
        if (total := sum(n for low, n in bands.items() if low >= step))
    ]
    return facets
