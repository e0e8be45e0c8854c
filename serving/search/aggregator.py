"""Results aggregator: index hits to candidates with catalog fields and live stock."""

from __future__ import annotations

from typing import Any

from serving.search.index import SearchHits

CANDIDATE_KEYS = ("product_id", "title", "brand", "category", "price", "rating", "stock")


def to_candidates(found: SearchHits, in_stock_only: bool = False) -> list[dict[str, Any]]:
    """One dict per product in index order (`score` = index score); duplicates and, on request,
    out-of-stock products are dropped. Hits carry the read model's fields, stock included."""
    seen: set[str] = set()
    candidates = []
    for hit in found.hits:
        if hit.product_id in seen:
            continue
        seen.add(hit.product_id)
        candidate = {key: hit.doc.get(key) for key in CANDIDATE_KEYS}
        candidate["product_id"] = hit.product_id
        stock = int(candidate["stock"] or 0)
        candidate["stock"] = stock
        candidate["score"] = float(hit.score)
        family_id = hit.doc.get("family_id") or hit.product_id
        if family_id != hit.product_id:
            # A family's result is its chosen variant (the product to buy) and names its family;
            # a standalone product's stays as it always was.
            candidate["family_id"] = family_id
            candidate["options"] = hit.doc.get("options") or {}
            candidate["matching_variants"] = hit.matching_variants
        if in_stock_only and stock <= 0:
            continue
        candidates.append(candidate)
    return candidates


def demote_out_of_stock(candidates: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """In-stock candidates first, each part keeping its order (a ranker may have mixed them)."""
    return [c for c in candidates if c["stock"] > 0] + [c for c in candidates if c["stock"] <= 0]
