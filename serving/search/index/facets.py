"""Facet aggregations (Elasticsearch-style JSON, which tantivy speaks) and their response form."""

from __future__ import annotations

from typing import Any

from contracts.categories import ancestor_paths
from serving.search.index.port import (
    FACET_LEVELS,
    LEVEL_FIELDS,
    PRICE_BUCKETS,
    RATING_STEPS,
    VARIANT_OF,
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


# A bucket's families: its products, less its variants, plus their distinct families. Only
# variants carry the field, so a standalone product's count is its exact document count.
FAMILY_AGGS: dict[str, Any] = {
    "variants": {"value_count": {"field": VARIANT_OF}},
    "families": {"cardinality": {"field": VARIANT_OF}},
}


def facet_aggs(spec: QuerySpec, families: bool = False) -> dict[str, Any]:
    """The aggregations for `spec`: the usual ones, plus the category nodes of one level when
    asked (an aggregation more per search, so only then); with `families`, each bucket also
    counts the families of its variants (only where an index holds variants: it costs)."""
    aggs = FACET_AGGS
    level = spec.category_level
    if level is not None and 1 <= level <= FACET_LEVELS:
        field = LEVEL_FIELDS[level - 1]
        aggs = {**aggs, "category_tree": {"terms": {"field": field, "size": FACET_SIZE}}}
    if families:
        aggs = {name: {**agg, "aggs": FAMILY_AGGS} for name, agg in aggs.items()}
    return aggs


def _count(bucket: dict[str, Any]) -> int:
    """A bucket's products, a family's variants counting once."""
    if "families" not in bucket:
        return int(bucket["doc_count"])
    variants, families = bucket["variants"]["value"], bucket["families"]["value"]
    return int(bucket["doc_count"]) - int(variants or 0) + int(families or 0)


def _by_count(rows: list[dict[str, Any]], buckets: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The engine ordered buckets by documents; counted by families, they are put in order
    again (most first, then by value, as the engines break ties)."""
    if not any("families" in bucket for bucket in buckets):
        return rows
    return sorted(rows, key=lambda row: (-row["count"], row["value"]))


def facets_from(result: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Aggregation output to `{"brand": [{"value", "count"}], ...}`; empty buckets dropped.
    A level's category nodes also carry their slug `path`, what a `category:` filter takes."""
    facets: dict[str, list[dict[str, Any]]] = {}
    if "category_tree" in result:
        nodes = result["category_tree"].get("buckets", [])
        facets["category_tree"] = _by_count(
            [
                {"value": b["key"], "path": ancestor_paths(b["key"])[-1], "count": _count(b)}
                for b in nodes
                if b["key"]
            ],
            nodes,
        )
    for name in ("brand", "category"):
        buckets = result.get(name, {}).get("buckets", [])
        facets[name] = _by_count(
            [{"value": b["key"], "count": _count(b)} for b in buckets], buckets
        )
    counts = {b["key"]: _count(b) for b in result.get("price", {}).get("buckets", [])}
    facets["price"] = [
        {"value": key, "count": counts[key]}
        for key in (_bucket_key(lo, hi) for lo, hi in PRICE_BUCKETS)
        if counts.get(key)
    ]
    bands = {b.get("from", 0.0): _count(b) for b in result.get("rating", {}).get("buckets", [])}
    facets["rating"] = [
        {"value": f"{step:g}+", "count": total}
        for step in RATING_STEPS
        if (total := sum(n for low, n in bands.items() if low >= step))
    ]
    return facets
