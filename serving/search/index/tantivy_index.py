"""The embedded search index: tantivy in `settings.search_index_dir`, BM25 with a boosted title."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import tantivy

from serving.search.index.port import (
    TITLE_BOOST,
    Hit,
    QuerySpec,
    SearchHits,
    SearchIndex,
    facet_key,
    normalize_doc,
)

_TEXT_FIELDS = {"title": TITLE_BOOST, "description": 1.0, "brand": 1.5, "category": 1.5}
_FUZZY_MIN_LENGTH = 5  # shorter words have too many neighbours at edit distance 1


def build_schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("product_id", stored=True, tokenizer_name="raw")
    for name in _TEXT_FIELDS:
        builder.add_text_field(name, stored=True)
    builder.add_text_field("brand_key", tokenizer_name="raw", fast=True)
    builder.add_text_field("category_key", tokenizer_name="raw", fast=True)
    builder.add_float_field("price", stored=True, indexed=True, fast=True)
    builder.add_float_field("rating", stored=True, indexed=True, fast=True)
    builder.add_integer_field("rating_count", stored=True)
    builder.add_integer_field("stock", stored=True, indexed=True, fast=True)
    builder.add_boolean_field("in_stock", stored=True, indexed=True, fast=True)
    builder.add_text_field("created_at", stored=True, tokenizer_name="raw")
    return builder.build()


class TantivyIndex(SearchIndex):
    """Readers reload on every call; the writer (and its lock) is held only until `commit()`."""

    def __init__(self, path: Path) -> None:
        path.mkdir(parents=True, exist_ok=True)
        self.schema = build_schema()
        self._index = tantivy.Index(self.schema, path=str(path), reuse=True)
        self._writer: tantivy.IndexWriter | None = None

    @property
    def writer(self) -> tantivy.IndexWriter:
        if self._writer is None:
            self._writer = self._index.writer(heap_size=32_000_000, num_threads=1)
        return self._writer

    def upsert(self, docs: Iterable[dict[str, Any]]) -> None:
        for raw in docs:
            doc = normalize_doc(raw)
            self.writer.delete_documents_by_term("product_id", doc["product_id"])
            self.writer.add_document(
                tantivy.Document.from_dict(
                    {
                        **doc,
                        "brand_key": facet_key(doc["brand"]),
                        "category_key": facet_key(doc["category"]),
                    },
                    self.schema,
                )
            )

    def delete(self, product_ids: Iterable[str]) -> None:
        for product_id in product_ids:
            self.writer.delete_documents_by_term("product_id", str(product_id))

    def commit(self) -> None:
        if self._writer is None:
            return
        self._writer.commit()
        self._writer.wait_merging_threads()
        self._writer = None
        self._index.reload()

    def close(self) -> None:
        if self._writer is not None:
            self._writer.rollback()
            self._writer = None

    def search(self, spec: QuerySpec) -> SearchHits:
        self._index.reload()
        searcher = self._index.searcher()
        query = self._query(spec)
        order = {"order_by_field": "rating"} if spec.order_by_rating else {}
        result = searcher.search(query, limit=max(1, spec.limit), count=True, **order)  # type: ignore[arg-type]
        hits = []
        for score, address in result.hits:
            doc = _as_dict(searcher.doc(address))
            hits.append(Hit(doc["product_id"], float(score), doc))
        return SearchHits(total=int(result.count or 0), hits=hits)  # type: ignore[attr-defined]

    def get(self, product_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        wanted = sorted({str(product_id) for product_id in product_ids})
        if not wanted:
            return {}
        self._index.reload()
        searcher = self._index.searcher()
        query = tantivy.Query.term_set_query(self.schema, "product_id", wanted)
        found = searcher.search(query, limit=len(wanted), count=False).hits
        docs = (_as_dict(searcher.doc(address)) for _, address in found)
        return {doc["product_id"]: doc for doc in docs}

    def count(self) -> int:
        self._index.reload()
        return int(self._index.searcher().num_docs)

    def _query(self, spec: QuerySpec) -> tantivy.Query:
        occur = tantivy.Occur.Must if spec.match_all_terms else tantivy.Occur.Should
        clauses = [(occur, self._term_query(term)) for term in spec.terms]
        if not clauses:
            clauses = [(tantivy.Occur.Must, tantivy.Query.all_query())]
        clauses += [(tantivy.Occur.Must, _unscored(f)) for f in self._filters(spec)]
        return tantivy.Query.boolean_query(clauses)

    def _term_query(self, term: str) -> tantivy.Query:
        should = tantivy.Occur.Should
        parts = [
            (should, tantivy.Query.boost_query(tantivy.Query.term_query(self.schema, f, term), b))
            for f, b in _TEXT_FIELDS.items()
        ]
        if len(term) >= _FUZZY_MIN_LENGTH:
            fuzzy = tantivy.Query.fuzzy_term_query(self.schema, "title", term, distance=1)
            parts.append((should, tantivy.Query.boost_query(fuzzy, 0.5)))
        return tantivy.Query.boolean_query(parts)

    def _filters(self, spec: QuerySpec) -> list[tantivy.Query]:
        found = []
        if spec.brand:
            found.append(tantivy.Query.term_query(self.schema, "brand_key", facet_key(spec.brand)))
        if spec.category:
            key = facet_key(spec.category)
            found.append(tantivy.Query.term_query(self.schema, "category_key", key))
        if spec.price_min is not None or spec.price_max is not None:
            found.append(
                tantivy.Query.range_query(
                    self.schema,
                    "price",
                    tantivy.FieldType.Float,
                    float(spec.price_min if spec.price_min is not None else 0.0),
                    float(spec.price_max if spec.price_max is not None else 1e15),
                )
            )
        if spec.in_stock_only:
            found.append(tantivy.Query.term_query(self.schema, "in_stock", True))
        return found


def _unscored(query: tantivy.Query) -> tantivy.Query:
    return tantivy.Query.const_score_query(query, 0.0)


def _as_dict(document: tantivy.Document) -> dict[str, Any]:
    values = {name: items[0] for name, items in document.to_dict().items() if items}
    return normalize_doc(values)
