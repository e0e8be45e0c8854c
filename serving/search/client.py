"""The index client: a parsed query to index candidates, relaxed step by step when none match."""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import partial

from serving.search.index import QuerySpec, SearchHits, SearchIndex
from serving.search.index.families import search_families
from serving.search.index.port import search_terms
from serving.search.query_parser import ParsedQuery
from serving.search.synonyms import term_groups

# What each relaxation step gives up, in order; each keeps the ones before it.
RELAXATIONS = ("filters", "any_term", "fuzzy")
# What to do with out-of-stock products: after the in-stock ones, left out, or left where they are.
STOCK_POLICIES = ("demote", "filter", "ignore")


@dataclass(frozen=True)
class Fetched:
    found: SearchHits
    spec: QuerySpec  # the spec that found them (facets are counted on it)
    relaxed: str | None = None


def query_spec(
    parsed: ParsedQuery, limit: int, in_stock_only: bool = False, offset: int = 0
) -> QuerySpec:
    terms = search_terms(parsed.keywords)
    phrases = tuple(" ".join(search_terms(p)) for p in parsed.phrases)
    return QuerySpec(
        terms=tuple(terms + [word for p in phrases for word in p.split()]),
        groups=tuple(term_groups(terms)),
        phrases=tuple(p for p in phrases if p),
        brand=parsed.brand,
        category=parsed.category,
        price_min=parsed.price_min,
        price_max=parsed.price_max,
        rating_min=parsed.rating_min,
        in_stock_only=in_stock_only or parsed.in_stock,
        sort=parsed.sort,
        limit=limit,
        offset=offset,
    )


def _relax(spec: QuerySpec, step: str) -> QuerySpec | None:
    """The spec with one more constraint dropped, or None when that step changes nothing."""
    if step == "filters":
        filters = (spec.brand, spec.category, spec.price_min, spec.price_max, spec.rating_min)
        if all(value is None for value in filters):
            return None
        return replace(spec, brand=None, category=None, price_min=None, price_max=None,
                       rating_min=None)  # fmt: skip
    if step == "any_term":
        if len(spec.groups) + len(spec.phrases) < 2 and not spec.phrases:
            return None
        # Phrases become plain words so any one of them can match.
        words = tuple((word,) for phrase in spec.phrases for word in phrase.split())
        return replace(spec, match_all_terms=False, groups=spec.groups + words, phrases=())
    if not spec.groups:
        return None
    return replace(spec, match_all_terms=False, fuzzy="broad")


def search_by_stock(index: SearchIndex, spec: QuerySpec, stock: str = "demote") -> SearchHits:
    """`spec`'s page with out-of-stock products after every in-stock one, each part in index
    order. Usually one query: a first page a little longer than asked holds the page's in-stock
    hits (they are a prefix of the full order); else in-stock matches, then out-of-stock ones.
    A family of variants is one product here (serving.search.index.families): in stock when any
    of its matching variants is."""
    search = partial(search_families, index)
    if stock != "demote" or spec.in_stock_only:
        return search(spec)
    if spec.offset == 0:
        found = search(replace(spec, limit=spec.limit + max(8, spec.limit // 4)))
        ready = [hit for hit in found.hits if hit.doc.get("in_stock")]
        if len(ready) >= spec.limit or len(found.hits) >= found.total:
            gone = [hit for hit in found.hits if not hit.doc.get("in_stock")]
            return SearchHits(total=found.total, hits=(ready + gone)[: spec.limit])
    first = search(replace(spec, in_stock_only=True))
    room = spec.limit - len(first.hits)
    rest = search(
        replace(spec, out_of_stock_only=True, limit=max(1, room),
                offset=max(0, spec.offset - first.total))
    )  # fmt: skip
    hits = first.hits + (rest.hits[:room] if room > 0 else [])
    return SearchHits(total=first.total + rest.total, hits=hits)


def fetch_candidates(
    index: SearchIndex,
    parsed: ParsedQuery,
    limit: int,
    in_stock_only: bool = False,
    offset: int = 0,
    stock: str = "demote",
) -> Fetched:
    """The exact query first; on zero hits, drop filters, then match any word, then fuzzier."""
    in_stock_only = in_stock_only or stock == "filter"
    spec = query_spec(parsed, limit, in_stock_only, offset)
    found = search_by_stock(index, spec, stock)
    relaxed: list[str] = []
    for step in RELAXATIONS:
        if found.total > 0:
            break
        looser = _relax(spec, step)
        if looser is None:
            continue
        spec, found = looser, search_by_stock(index, looser, stock)
        relaxed.append(step)
    return Fetched(found, spec, "+".join(relaxed) or None)
