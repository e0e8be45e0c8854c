"""The index client: a parsed query to index candidates, all words first, any word if none match."""

from __future__ import annotations

from serving.search.index import QuerySpec, SearchHits, SearchIndex
from serving.search.index.port import search_terms
from serving.search.query_parser import ParsedQuery


def fetch_candidates(
    index: SearchIndex, parsed: ParsedQuery, limit: int, in_stock_only: bool = False
) -> SearchHits:
    spec = QuerySpec(
        terms=tuple(search_terms(parsed.keywords)),
        brand=parsed.brand,
        category=parsed.category,
        price_min=parsed.price_min,
        price_max=parsed.price_max,
        in_stock_only=in_stock_only,
        limit=limit,
    )
    found = index.search(spec)
    if found.total == 0 and len(spec.terms) > 1:
        # Shoppers over-specify; matching some words beats an empty page.
        relaxed = QuerySpec(**{**spec.__dict__, "match_all_terms": False})
        found = index.search(relaxed)
    return found
