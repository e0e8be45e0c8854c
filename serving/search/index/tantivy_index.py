"""The embedded search index: tantivy in `settings.search_index_dir`, BM25 with a boosted title."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import tantivy

from serving.search.index.facets import FACET_AGGS, facets_from
from serving.search.index.port import (
    FIELD_BOOSTS,
    Hit,
    QuerySpec,
    SearchHits,
    SearchIndex,
    facet_key,
    normalize_doc,
)
from serving.search.index.tantivy_query import build_query

_NEWEST_POOL = 1_000
_ORDERS: dict[str, dict[str, Any]] = {
    "price_asc": {"order_by_field": "price", "order": tantivy.Order.Asc},
    "price_desc": {"order_by_field": "price", "order": tantivy.Order.Desc},
    "rating": {"order_by_field": "rating", "order": tantivy.Order.Desc},
}


def build_schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("product_id", stored=True, tokenizer_name="raw")
    for name in FIELD_BOOSTS:
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
        query = build_query(self.schema, spec)
        order = _ORDERS.get("rating" if spec.order_by_rating else spec.sort, {})
        limit, offset = max(1, spec.limit), max(0, spec.offset)
        if spec.sort == "newest":  # created_at is not a fast field: sort the best matches here
            limit, offset = max(limit + offset, _NEWEST_POOL), 0
        result = searcher.search(query, limit=limit, count=True, offset=offset, **order)  # type: ignore[arg-type]
        hits = []
        for key, address in result.hits:
            doc = _as_dict(searcher.doc(address))
            # A field-ordered hit's key is the field's value, not a relevance score.
            score = float(key) if not order or spec.order_by_rating else 0.0
            hits.append(Hit(doc["product_id"], score, doc))
        if spec.sort == "newest":
            hits.sort(key=lambda hit: hit.doc["created_at"], reverse=True)
            hits = hits[spec.offset : spec.offset + spec.limit]
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

    def facets(self, spec: QuerySpec) -> dict[str, list[dict[str, Any]]]:
        self._index.reload()
        result = self._index.searcher().aggregate(build_query(self.schema, spec), FACET_AGGS)
        return facets_from(result)

    def vocabulary(
        self, prefix: str = "", limit: int | None = None, within: tuple[str, ...] = ()
    ) -> list[tuple[str, int]]:
        self._index.reload()
        context = None
        if within:
            must = tantivy.Occur.Must
            words = [(must, tantivy.Query.term_query(self.schema, "title", w)) for w in within]
            context = tantivy.Query.boolean_query(words)
        found = self._index.searcher().terms_with_prefix("title", prefix, context, limit=limit)
        return [(term, count) for term, count in found if count > 0]

    def titles_starting(self, words: list[str], limit: int) -> list[str]:
        if not words:
            return []
        self._index.reload()
        searcher = self._index.searcher()
        terms: list[str | tuple[int, str]] = list(words)
        query = tantivy.Query.phrase_prefix_query(self.schema, "title", terms)
        hits = searcher.search(query, limit=limit, count=False).hits
        return [str(searcher.doc(address).to_dict()["title"][0]) for _, address in hits]


def _as_dict(document: tantivy.Document) -> dict[str, Any]:
    values = {name: items[0] for name, items in document.to_dict().items() if items}
    return normalize_doc(values)
