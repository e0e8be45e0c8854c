"""The embedded search index: tantivy under `settings.search_index_dir`, BM25 with a boosted title.

Readers follow the indexer's commits (and a reindex's new generation) by checking two file stamps
(every call by default, or at most every `refresh_s`) and reload only when they changed, instead of
reloading on every search.

A live generation written with an older schema (after an upgrade changed the analysis) is left
where it is: a fresh generation with today's schema is published, and the indexer, seeing a
generation its checkpoint does not name, refills it from the start of the event log.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import tantivy

from serving.search.index import tantivy_layout as layout
from serving.search.index.facets import FAMILY_AGGS, facet_aggs, facets_from
from serving.search.index.port import (
    TITLE_HITS_PER_TITLE,
    Hit,
    QuerySpec,
    SearchHits,
    SearchIndex,
    family_titles,
    normalize_doc,
)
from serving.search.index.tantivy_query import build_query, from_stored, to_document
from serving.search.index.tantivy_schema import IS_VARIANT, build_schema, register_analyzers

log = logging.getLogger(__name__)
_NEWEST_POOL = 1_000
# Stored documents read back since the searcher last changed, at most this many (about 1 kB each):
# reading and normalizing one took a third of a feed's CPU in serving.
_READ_DOCS = 20_000
_ORDERS: dict[str, dict[str, Any]] = {
    "price_asc": {"order_by_field": "price", "order": tantivy.Order.Asc},
    "price_desc": {"order_by_field": "price", "order": tantivy.Order.Desc},
    "rating": {"order_by_field": "rating", "order": tantivy.Order.Desc},
}


class TantivyIndex(SearchIndex):
    """`path` holds generations (see tantivy_layout); the writer and its lock live until `commit()`.

    `bulk=True` gives the writer every core and a large heap, for building whole catalogs.
    """

    def __init__(
        self,
        path: Path,
        bulk: bool = False,
        refresh_s: float = 0.0,
        generation: Path | None = None,
    ) -> None:
        self.root = Path(path)
        self.schema = build_schema()
        self.bulk = bulk
        self.refresh_s = refresh_s
        self.pinned = generation is not None  # a reindex's build: never follows CURRENT
        self._writer: tantivy.IndexWriter | None = None
        self._variants: tuple[tantivy.Searcher | None, bool] = (None, False)
        self._read: tuple[tantivy.Searcher | None, dict[Any, dict[str, Any] | None]] = (None, {})
        try:
            self._open(generation or layout.current_generation(self.root))
        except ValueError as error:
            if self.pinned or "schema does not match" not in str(error):
                raise
            self._open(self._replace_outdated(layout.current_generation(self.root)))

    def _stamp(self) -> tuple[str, int, int]:
        return layout.signature(self.root, self.generation if self.pinned else None)

    def _open(self, generation: Path) -> None:
        index = tantivy.Index(self.schema, path=str(generation), reuse=True)
        register_analyzers(index)
        index.config_reader("manual")  # reloads are ours: see _fresh
        self.generation, self._index = generation, index
        self._signature = self._stamp()
        self._checked = time.monotonic()
        self._searcher = index.searcher()

    def _replace_outdated(self, outdated: Path) -> Path:
        fresh = layout.next_generation(self.root)
        tantivy.Index(self.schema, path=str(fresh))  # today's schema, before anyone may open it
        layout.publish(self.root, fresh)
        log.warning(
            "search index %s has an older schema: published an empty %s, which the search "
            "indexer refills from the event log", outdated.name, fresh.name,
        )  # fmt: skip
        return fresh

    def _fresh(self, force: bool = False) -> tantivy.Searcher:
        """The searcher, reloaded only when a commit or a new generation landed since."""
        now = time.monotonic()
        if force or now - self._checked >= self.refresh_s:
            self._checked = now
            stamp = self._stamp()
            if stamp != self._signature:
                if stamp[0] and stamp[0] != self.generation.name:
                    self._open(self.root / stamp[0])
                else:
                    self._index.reload()
                    self._signature, self._searcher = stamp, self._index.searcher()
        return self._searcher

    @property
    def writer(self) -> tantivy.IndexWriter:
        if self._writer is None:
            self._fresh(force=True)  # write into the live generation, even after a reindex
            threads = min(8, os.cpu_count() or 1) if self.bulk else 1
            heap = 200_000_000 * threads if self.bulk else 32_000_000
            self._writer = self._index.writer(heap_size=heap, num_threads=threads)
        return self._writer

    def upsert(self, docs: Iterable[dict[str, Any]]) -> None:
        for raw in docs:
            document = to_document(self.schema, normalize_doc(raw))
            self.writer.delete_documents_by_term("product_id", document.get_first("product_id"))
            self.writer.add_document(document)

    def add_new(self, docs: Iterable[dict[str, Any]]) -> None:
        """Adds products known to be absent (a fresh build): no delete per document."""
        writer = self.writer
        for raw in docs:
            writer.add_document(to_document(self.schema, normalize_doc(raw)))

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
        self._signature, self._searcher = self._stamp(), self._index.searcher()

    def refresh(self) -> None:
        self._fresh(force=True)

    def searcher(self) -> tantivy.Searcher:
        """The current searcher, for raw engine measurements beside the service."""
        return self._fresh()

    def close(self) -> None:
        if self._writer is not None:
            self._writer.rollback()
            self._writer = None

    def search(self, spec: QuerySpec) -> SearchHits:
        searcher = self._fresh()
        order = _ORDERS.get("rating" if spec.order_by_rating else spec.sort, {})
        limit, offset = max(1, spec.limit), max(0, spec.offset)
        if spec.sort == "newest":  # created_at is not a fast field: sort the best matches here
            limit, offset = max(limit + offset, _NEWEST_POOL), 0
        query = build_query(self.schema, spec)
        result = searcher.search(query, limit=limit, count=True, offset=offset, **order)  # type: ignore[arg-type]
        hits, read = [], self._read_by(searcher)
        for key, address in result.hits:
            where = (address.segment_ord, address.doc)
            doc = read.get(where)
            if doc is None:
                doc = read[where] = _as_dict(searcher.doc(address))
            # A field-ordered hit's key is the field's value, not a relevance score.
            score = float(key) if not order or spec.order_by_rating else 0.0
            hits.append(Hit(doc["product_id"], score, dict(doc)))
        if spec.sort == "newest":
            hits.sort(key=lambda hit: hit.doc["created_at"], reverse=True)
            hits = hits[spec.offset : spec.offset + spec.limit]
        return SearchHits(total=int(result.count or 0), hits=hits)  # type: ignore[attr-defined]

    def get(self, product_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        wanted = sorted({str(product_id) for product_id in product_ids})
        if not wanted:
            return {}
        searcher = self._fresh()
        read = self._read_by(searcher)
        if missing := [product_id for product_id in wanted if product_id not in read]:
            query = tantivy.Query.term_set_query(self.schema, "product_id", missing)
            for _, address in searcher.search(query, limit=len(missing), count=False).hits:
                doc = _as_dict(searcher.doc(address))
                read[doc["product_id"]] = doc
            for product_id in missing:
                read.setdefault(product_id, None)  # not in this searcher's index either
        # Copies: a caller (the indexer) edits what it gets. `read` is only ever added to (a new
        # searcher gets a dict of its own), so what was just put in is still there.
        return {p: dict(held) for p in wanted if (held := read.get(p)) is not None}

    def _read_by(self, searcher: tantivy.Searcher) -> dict[Any, dict[str, Any] | None]:
        """The documents read from `searcher` so far, by address and by product id (None: no
        such product). A new searcher starts afresh, so nothing outlives the commit it read."""
        owner, read = self._read
        if owner is not searcher or len(read) > _READ_DOCS:
            read = {}
            self._read = (searcher, read)
        return read

    def count(self) -> int:
        return int(self._fresh().num_docs)

    def facets(self, spec: QuerySpec) -> dict[str, list[dict[str, Any]]]:
        query = build_query(self.schema, spec)
        aggs = facet_aggs(spec, families=self.holds_variants())
        return facets_from(self._fresh().aggregate(query, aggs))

    def holds_variants(self) -> bool:
        # A term's document frequency: no query run, and asked once per searcher (per commit).
        # Deleted variants count until merged away.
        searcher = self._fresh()
        if self._variants[0] is not searcher:
            self._variants = (searcher, bool(searcher.doc_freq(IS_VARIANT, True)))
        return self._variants[1]

    def family_counts(self, spec: QuerySpec) -> tuple[int, int, int]:
        searcher, query = self._fresh(), build_query(self.schema, spec)
        products = int(searcher.search(query, limit=1, count=True).count or 0)  # type: ignore[attr-defined]
        if not products:
            return 0, 0, 0
        found = searcher.aggregate(query, FAMILY_AGGS)
        return products, int(found["variants"]["value"]), int(found["families"]["value"])

    def vocabulary(
        self, prefix: str = "", limit: int | None = None, within: tuple[str, ...] = ()
    ) -> list[tuple[str, int]]:
        context = None
        if within:
            must = tantivy.Occur.Must
            words = [(must, tantivy.Query.term_query(self.schema, "title", w)) for w in within]
            context = tantivy.Query.boolean_query(words)
        found = self._fresh().terms_with_prefix("title", prefix, context, limit=limit)
        return [(term, count) for term, count in found if count > 0]

    def titles_starting(self, words: list[str], limit: int) -> list[str]:
        if not words:
            return []
        searcher = self._fresh()
        terms: list[str | tuple[int, str]] = list(words)
        query = tantivy.Query.phrase_prefix_query(self.schema, "title", terms)
        hits = searcher.search(query, limit=limit * TITLE_HITS_PER_TITLE, count=False).hits
        return family_titles((_as_dict(searcher.doc(address)) for _, address in hits), limit)


def _as_dict(document: tantivy.Document) -> dict[str, Any]:
    values = {name: items[0] for name, items in document.to_dict().items() if items}
    return normalize_doc(from_stored(values))
