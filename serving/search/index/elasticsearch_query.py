"""Elasticsearch request bodies from a QuerySpec, with the tantivy adapter's features: analysis
(folding, stems), synonym groups, phrases, typo tolerance, boosts, filters, sorts, facets."""

from __future__ import annotations

from typing import Any

from serving.search.index.facets import facet_aggs
from serving.search.index.port import (
    CATEGORY_PATH,
    CATEGORY_WORD,
    FIELD_BOOSTS,
    LEVEL_FIELDS,
    VARIANT_OF,
    QuerySpec,
    category_filter,
    facet_key,
)
from serving.search.index.tantivy_query import FUZZY_BOOST, edit_distance_for

# One analysis for index and query: words, lower-cased, ASCII-folded; `.stem` adds English stems.
SETTINGS: dict[str, Any] = {
    "analysis": {
        "filter": {"shop_stemmer": {"type": "stemmer", "language": "english"}},
        "analyzer": {
            "shop_folded": {"tokenizer": "standard", "filter": ["lowercase", "asciifolding"]},
            "shop_stemmed": {
                "tokenizer": "standard",
                "filter": ["lowercase", "asciifolding", "shop_stemmer"],
            },
        },
    }
}
_TEXT = {"type": "text", "analyzer": "shop_folded"}
_STEMMED = {"stem": {"type": "text", "analyzer": "shop_stemmed"}}
MAPPINGS: dict[str, Any] = {
    "properties": {
        "product_id": {"type": "keyword"},
        # fielddata on title: its words feed typeahead and spelling (terms aggregations).
        "title": {**_TEXT, "fields": _STEMMED, "fielddata": True},
        "description": _TEXT,
        "brand": _TEXT,
        "brand_key": {"type": "keyword"},
        "category": _TEXT,
        "category_key": {"type": "keyword"},
        CATEGORY_PATH: {"type": "keyword"},
        CATEGORY_WORD: {"type": "keyword"},
        **{name: {"type": "keyword"} for name in LEVEL_FIELDS},
        "price": {"type": "double"},
        "rating": {"type": "double"},
        "rating_count": {"type": "long"},
        "stock": {"type": "long"},
        "in_stock": {"type": "boolean"},
        "created_at": {"type": "keyword"},
        # Families, as in tantivy: every product's; a variant's parent; its option words; its
        # option values kept in the source only.
        "family_id": {"type": "keyword"},
        VARIANT_OF: {"type": "keyword"},
        "option_text": _TEXT,
        "options": {"type": "object", "enabled": False},
    }
}
# As tantivy's: stems of titles only, at half the title's weight.
FIELDS = [f"{name}^{boost:g}" for name, boost in FIELD_BOOSTS.items()]
FIELDS.append(f"title.stem^{FIELD_BOOSTS['title'] * 0.5:g}")
_FUZZY_FIELDS = {"light": ["title"], "broad": ["title", "description"]}
_SORTS: dict[str, list[Any]] = {
    "price_asc": [{"price": "asc"}, {"product_id": "asc"}],
    "price_desc": [{"price": "desc"}, {"product_id": "asc"}],
    "rating": [{"rating": "desc"}, {"product_id": "asc"}],
    "newest": [{"created_at": "desc"}, {"product_id": "asc"}],
}


def search_body(
    spec: QuerySpec, with_facets: bool = False, families: bool = False
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "query": {"bool": {"must": match_clauses(spec), "filter": filters(spec)}},
        "size": max(1, spec.limit),
        "from": max(0, spec.offset),
        "track_total_hits": True,
    }
    sort = "rating" if spec.order_by_rating else spec.sort
    if sort in _SORTS:
        body["sort"] = _SORTS[sort]
    if with_facets:
        body["aggs"], body["size"] = facet_aggs(spec, families), 0
    return body


def match_clauses(spec: QuerySpec) -> list[dict[str, Any]]:
    groups = spec.groups or tuple((term,) for term in spec.terms)
    words = [_group(group, spec.fuzzy) for group in groups]
    phrases = [_phrase(phrase) for phrase in spec.phrases]
    if not spec.match_all_terms and words:
        words = [{"bool": {"should": words, "minimum_should_match": 1}}]
    return words + phrases or [{"match_all": {}}]


def _group(forms: tuple[str, ...], fuzzy: str) -> dict[str, Any]:
    options: list[dict[str, Any]] = []
    for position, form in enumerate(forms):
        if len(form.split()) > 1:
            options.append(_phrase(form))
            continue
        options.append({"multi_match": {"query": form, "fields": FIELDS, "type": "best_fields"}})
        distance = edit_distance_for(form)
        if position == 0 and distance and fuzzy in FUZZY_BOOST:
            for field in _FUZZY_FIELDS[fuzzy]:
                options.append(
                    {"fuzzy": {field: {"value": form, "fuzziness": distance,
                                       "boost": FUZZY_BOOST[fuzzy]}}}
                )  # fmt: skip
    return {"bool": {"should": options, "minimum_should_match": 1}}


def _phrase(phrase: str) -> dict[str, Any]:
    fields = [f"title^{FIELD_BOOSTS['title']:g}", "description", FIELDS[-1]]  # and title stems
    return {"multi_match": {"query": phrase, "type": "phrase", "fields": fields}}


def filters(spec: QuerySpec) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if spec.brand:
        found.append({"term": {"brand_key": facet_key(spec.brand)}})
    if spec.category:
        field, term = category_filter(spec.category)
        found.append({"term": {field: term}})
    if spec.price_min is not None or spec.price_max is not None:
        bounds = {"gte": spec.price_min, "lte": spec.price_max}
        found.append({"range": {"price": {k: v for k, v in bounds.items() if v is not None}}})
    if spec.rating_min is not None:
        found.append({"range": {"rating": {"gte": spec.rating_min}}})
    if spec.in_stock_only:
        found.append({"term": {"in_stock": True}})
    elif spec.out_of_stock_only:
        found.append({"term": {"in_stock": False}})
    if spec.family_ids:
        found.append({"terms": {"family_id": list(spec.family_ids)}})
    return found
