"""One search result per product family: a family's matching variants collapse into the one the
query names by its option values ("red ... size 12"), else its best-placed one, in stock first.

Works over any adapter's plain `search`, so tantivy and Elasticsearch collapse alike: a family
takes the place of its first matching variant, pages and totals count families, and an index
without variants is searched exactly as before (one query, nothing collapsed).
"""

from __future__ import annotations

from dataclasses import replace

from serving.search.index.port import Hit, QuerySpec, SearchHits, SearchIndex, search_terms

WINDOW = 64  # hits read per step while walking the order for a page's families
MEMBERS_LIMIT = 10_000  # a page's families' matching variants, read in one query


def search_families(index: SearchIndex, spec: QuerySpec) -> SearchHits:
    """`spec`'s page of families: `offset`, `limit` and `total` count families; each hit is the
    chosen variant (`matching_variants` says how many of its family matched)."""
    if spec.family_ids or not index.holds_variants():
        return index.search(spec)
    limit, offset = max(1, spec.limit), max(0, spec.offset)
    order, first = _walk(index, spec, offset + limit)
    page = [first[family] for family in order[offset : offset + limit]]
    return SearchHits(total=family_total(index, spec), hits=_choose(index, spec, page))


def family_total(index: SearchIndex, spec: QuerySpec) -> int:
    """How many families `spec` matches; with `out_of_stock_only`, those with no in-stock match."""
    if not spec.out_of_stock_only:
        return _families(index.family_counts(spec))
    both = replace(spec, out_of_stock_only=False)
    every = _families(index.family_counts(both))
    return every - _families(index.family_counts(replace(both, in_stock_only=True)))


def _families(counts: tuple[int, int, int]) -> int:
    products, variants, families = counts
    return products - variants + families


def family_of(hit: Hit) -> str:
    return str(hit.doc.get("family_id") or hit.product_id)


def _walk(index: SearchIndex, spec: QuerySpec, wanted: int) -> tuple[list[str], dict[str, Hit]]:
    """The first `wanted` families in `spec`'s order, each with its first hit."""
    order: list[str] = []
    first: dict[str, Hit] = {}
    position, window = 0, max(WINDOW, 2 * wanted)
    while len(order) < wanted:
        found = index.search(replace(spec, offset=position, limit=window))
        fresh: dict[str, Hit] = {}
        for hit in found.hits:
            if family_of(hit) not in first:
                fresh.setdefault(family_of(hit), hit)
        if spec.out_of_stock_only:
            # A family with a variant in stock belongs to the in-stock half, not this one.
            for family in _with_stock(index, spec, fresh):
                del fresh[family]
        order += fresh
        first.update(fresh)
        position += len(found.hits)
        if not found.hits or position >= found.total:
            break
        window *= 2
    return order, first


def _with_stock(index: SearchIndex, spec: QuerySpec, found: dict[str, Hit]) -> set[str]:
    variants = tuple(family for family, hit in found.items() if family != hit.product_id)
    if not variants:
        return set()
    ask = replace(
        spec, out_of_stock_only=False, in_stock_only=True, family_ids=variants, offset=0,
        limit=MEMBERS_LIMIT,
    )  # fmt: skip
    return {family_of(hit) for hit in index.search(ask).hits}


def _choose(index: SearchIndex, spec: QuerySpec, page: list[Hit]) -> list[Hit]:
    """Each family's variant for the page, at the family's place and score."""
    variants = tuple(family_of(hit) for hit in page if family_of(hit) != hit.product_id)
    members: dict[str, list[Hit]] = {}
    if variants:
        ask = replace(spec, family_ids=variants, offset=0, limit=MEMBERS_LIMIT)
        for hit in index.search(ask).hits:
            members.setdefault(family_of(hit), []).append(hit)
    words = set(spec.terms) | {word for group in spec.groups for word in group}
    chosen = []
    for hit in page:
        matching = members.get(family_of(hit)) or [hit]
        pick = chosen_variant(matching, words)
        chosen.append(Hit(pick.product_id, hit.score, pick.doc, len(matching)))
    return chosen


def chosen_variant(matching: list[Hit], words: set[str]) -> Hit:
    """The variant naming most of the query's option values (every word of a value must be in
    the query: "12" and "red" name Size 12 / Red), then in stock, then the first in order."""
    ranked = sorted(
        enumerate(matching),
        key=lambda item: (-_named(item[1], words), not item[1].doc.get("in_stock"), item[0]),
    )
    return ranked[0][1]


def _named(hit: Hit, words: set[str]) -> int:
    options = hit.doc.get("options") or {}
    values = (search_terms(str(value)) for value in options.values())
    return sum(1 for value in values if value and set(value) <= words)
