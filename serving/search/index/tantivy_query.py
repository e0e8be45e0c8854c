"""Builds tantivy queries from a QuerySpec: synonym groups, phrases, typo tolerance, filters."""

from __future__ import annotations

import json
from typing import Any

import tantivy

from serving.search.index.port import (
    FIELD_BOOSTS,
    QuerySpec,
    category_fields,
    category_filter,
    facet_key,
    variant_fields,
)
from serving.search.index.tantivy_schema import IS_VARIANT, STEM_BOOSTS, stem

FUZZY_BOOST = {"light": 0.3, "broad": 0.6}
_FUZZY_FIELDS = {"light": ("title",), "broad": ("title", "description")}
_PHRASE_FIELDS = ("title", "description")


def edit_distance_for(term: str) -> int:
    """Typos tolerated by word length: none up to 3 letters, 1 up to 7, 2 beyond."""
    return 0 if len(term) <= 3 else 1 if len(term) <= 7 else 2


def build_query(
    schema: tantivy.Schema, spec: QuerySpec, with_filters: bool = True
) -> tantivy.Query:
    occur = tantivy.Occur.Must if spec.match_all_terms else tantivy.Occur.Should
    groups = spec.groups or tuple((term,) for term in spec.terms)
    clauses = [(occur, _group_query(schema, group, spec.fuzzy)) for group in groups]
    if clauses and not spec.match_all_terms:
        # Beside a Must filter, Should clauses turn optional: "any word" must still be one.
        clauses = [(tantivy.Occur.Must, tantivy.Query.boolean_query(clauses))]
    clauses += [(tantivy.Occur.Must, _phrase_query(schema, p.split())) for p in spec.phrases]
    if not clauses:
        clauses = [(tantivy.Occur.Must, tantivy.Query.all_query())]
    if with_filters:
        clauses += [(tantivy.Occur.Must, _unscored(f)) for f in filter_queries(schema, spec)]
    return tantivy.Query.boolean_query(clauses)


def _group_query(schema: tantivy.Schema, forms: tuple[str, ...], fuzzy: str) -> tantivy.Query:
    should = tantivy.Occur.Should
    parts = []
    for position, form in enumerate(forms):
        words = form.split()
        if len(words) > 1:
            parts.append((should, _phrase_query(schema, words)))
            continue
        parts += [
            (should, tantivy.Query.boost_query(tantivy.Query.term_query(schema, f, form), b))
            for f, b in FIELD_BOOSTS.items()
        ]
        root = stem(form)
        parts += [
            (should, tantivy.Query.boost_query(tantivy.Query.term_query(schema, f, root), b))
            for f, b in STEM_BOOSTS.items()
        ]
        distance = edit_distance_for(form)
        if position == 0 and distance and fuzzy in FUZZY_BOOST:
            # Only the shopper's own word is fuzzed: synonyms are already spelled right.
            for field in _FUZZY_FIELDS[fuzzy]:
                near = tantivy.Query.fuzzy_term_query(schema, field, form, distance=distance)
                parts.append((should, tantivy.Query.boost_query(near, FUZZY_BOOST[fuzzy])))
    return tantivy.Query.boolean_query(parts)


def to_document(schema: tantivy.Schema, doc: dict[str, Any]) -> tantivy.Document:
    """A normalized product document with its exact-match keys, stemmed copies and, for a
    variant, its option words and family."""
    extra = {
        "brand_key": facet_key(doc["brand"]),
        "category_key": facet_key(doc["category"]),
        "title_stem": doc["title"],
        **category_fields(doc["category"]),
        **variant_fields(doc),
        "options": json.dumps(doc["options"], sort_keys=True) if doc["options"] else "",
    }
    if doc["family_id"] != doc["product_id"]:
        extra[IS_VARIANT] = True
    return tantivy.Document.from_dict({**doc, **extra}, schema)


def from_stored(values: dict[str, Any]) -> dict[str, Any]:
    """A stored document's values back as a product document (options parsed from JSON)."""
    options = values.get("options")
    if isinstance(options, str):
        values = {**values, "options": json.loads(options) if options else {}}
    return values


def _phrase_query(schema: tantivy.Schema, words: list[str]) -> tantivy.Query:
    """The words in a row, as written (full boost) or as stems ("running shoes" = "run shoe")."""
    stems = [stem(word) for word in words]
    options = [(f, words, FIELD_BOOSTS[f]) for f in _PHRASE_FIELDS]
    options += [(f, stems, boost) for f, boost in STEM_BOOSTS.items()]
    boosted = []
    for field, terms, boost in options:
        if len(terms) == 1:
            query = tantivy.Query.term_query(schema, field, terms[0])
        else:
            query = tantivy.Query.phrase_query(schema, field, list[str | tuple[int, str]](terms))
        boosted.append((tantivy.Occur.Should, tantivy.Query.boost_query(query, boost)))
    return tantivy.Query.boolean_query(boosted)


def filter_queries(schema: tantivy.Schema, spec: QuerySpec) -> list[tantivy.Query]:
    found = []
    if spec.brand:
        found.append(tantivy.Query.term_query(schema, "brand_key", facet_key(spec.brand)))
    if spec.category:
        found.append(tantivy.Query.term_query(schema, *category_filter(spec.category)))
    if spec.price_min is not None or spec.price_max is not None:
        low = spec.price_min if spec.price_min is not None else 0.0
        high = spec.price_max if spec.price_max is not None else 1e15
        found.append(_range(schema, "price", low, high))
    if spec.rating_min is not None:
        found.append(_range(schema, "rating", spec.rating_min, 1e6))
    if spec.in_stock_only:
        found.append(tantivy.Query.term_query(schema, "in_stock", True))
    elif spec.out_of_stock_only:
        found.append(tantivy.Query.term_query(schema, "in_stock", False))
    if spec.family_ids:
        found.append(tantivy.Query.term_set_query(schema, "family_id", list(spec.family_ids)))
    return found


def _range(schema: tantivy.Schema, field: str, low: float, high: float) -> tantivy.Query:
    return tantivy.Query.range_query(
        schema, field, tantivy.FieldType.Float, float(low), float(high)
    )


def _unscored(query: tantivy.Query) -> tantivy.Query:
    return tantivy.Query.const_score_query(query, 0.0)
