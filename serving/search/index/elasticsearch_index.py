"""The scale-out search index: an Elasticsearch index via the official v9 client.

The index is an alias over `<name>-<generation>` indices, so a full reindex builds a new one and
moves the alias in one atomic call (`swap_to`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from elasticsearch import Elasticsearch, NotFoundError, helpers

from serving.search.index.elasticsearch_query import MAPPINGS, SETTINGS, search_body
from serving.search.index.facets import FAMILY_AGGS, facets_from
from serving.search.index.port import (
    TITLE_HITS_PER_TITLE,
    VARIANT_OF,
    Hit,
    QuerySpec,
    SearchHits,
    SearchIndex,
    category_fields,
    facet_key,
    family_titles,
    normalize_doc,
    variant_fields,
)


class ElasticsearchIndex(SearchIndex):
    """Documents keyed by product_id; `commit()` is a refresh, making writes searchable."""

    def __init__(self, url: str, index_name: str = "products", target: str | None = None) -> None:
        self.client = Elasticsearch(url)
        self.index_name = index_name  # the alias readers use
        self.target = target  # a concrete index to use (a reindex's new one), else the alias
        self._name = target or index_name
        self._pending: list[dict[str, Any]] = []
        self._ready = False

    def _ensure_index(self) -> None:
        if self._ready:
            return
        if not self.client.indices.exists(index=self._name):
            concrete = self.target or f"{self.index_name}-000001"
            self.client.indices.create(index=concrete, mappings=MAPPINGS, settings=SETTINGS)
            if self.target is None:
                self.client.indices.put_alias(index=concrete, name=self.index_name)
        self._ready = True

    def upsert(self, docs: Iterable[dict[str, Any]]) -> None:
        for raw in docs:
            doc = normalize_doc(raw)
            source = {
                **doc,
                "brand_key": facet_key(doc["brand"]),
                "category_key": facet_key(doc["category"]),
                **category_fields(doc["category"]),
                **variant_fields(doc),
            }
            self._pending.append({"_op_type": "index", "_id": doc["product_id"], "_source": source})

    def delete(self, product_ids: Iterable[str]) -> None:
        self._pending += [{"_op_type": "delete", "_id": str(pid)} for pid in product_ids]

    def commit(self) -> None:
        self._ensure_index()
        if self._pending:
            # A delete of an absent id is a 404 per item; deleting twice must stay harmless.
            helpers.bulk(self.client, self._pending, index=self._name, raise_on_error=False)
            self._pending = []
        self.client.indices.refresh(index=self._name)

    def swap_to(self, concrete: str) -> None:
        """Points the alias at `concrete` (one atomic call) and drops the indices it left."""
        old = list(self.client.indices.get_alias(name=self.index_name)) if self._has_alias() else []
        actions: list[dict[str, Any]] = [
            {"remove": {"index": o, "alias": self.index_name}} for o in old
        ]
        actions.append({"add": {"index": concrete, "alias": self.index_name}})
        self.client.indices.update_aliases(actions=actions)
        for index in old:
            if index != concrete:
                self.client.indices.delete(index=index)

    def next_name(self) -> str:
        current = (
            list(self.client.indices.get_alias(name=self.index_name)) if self._has_alias() else []
        )
        numbers = [int(m.group(1)) for n in current if (m := re.search(r"-(\d{6})$", n))]
        return f"{self.index_name}-{max(numbers, default=0) + 1:06d}"

    def _has_alias(self) -> bool:
        return bool(self.client.indices.exists_alias(name=self.index_name))

    def search(self, spec: QuerySpec) -> SearchHits:
        self._ensure_index()
        response = self.client.search(index=self._name, **search_body(spec))
        field_ordered = spec.sort != "relevance" and not spec.order_by_rating
        hits = [
            Hit(item["_id"], 0.0 if field_ordered else _score(item), _doc(item))
            for item in response["hits"]["hits"]
        ]
        return SearchHits(total=int(response["hits"]["total"]["value"]), hits=hits)

    def get(self, product_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        wanted = sorted({str(pid) for pid in product_ids})
        if not wanted:
            return {}
        self._ensure_index()
        try:
            response = self.client.mget(index=self._name, ids=wanted)
        except NotFoundError:
            return {}
        return {item["_id"]: _doc(item) for item in response["docs"] if item.get("found")}

    def count(self) -> int:
        self._ensure_index()
        return int(self.client.count(index=self._name)["count"])

    def facets(self, spec: QuerySpec) -> dict[str, list[dict[str, Any]]]:
        self._ensure_index()
        body = search_body(spec, True, families=self.holds_variants())
        response = self.client.search(index=self._name, **body)
        return facets_from(dict(response.get("aggregations") or {}))

    def holds_variants(self) -> bool:
        self._ensure_index()
        found = self.client.count(index=self._name, query={"exists": {"field": VARIANT_OF}})
        return bool(found["count"])

    def family_counts(self, spec: QuerySpec) -> tuple[int, int, int]:
        self._ensure_index()
        body = {**search_body(spec), "size": 0, "aggs": FAMILY_AGGS}
        body.pop("from", None)
        response = self.client.search(index=self._name, **body)
        found = response["aggregations"]
        products = int(response["hits"]["total"]["value"])
        return products, int(found["variants"]["value"]), int(found["families"]["value"] or 0)

    def vocabulary(
        self, prefix: str = "", limit: int | None = None, within: tuple[str, ...] = ()
    ) -> list[tuple[str, int]]:
        self._ensure_index()
        query = {"bool": {"filter": [{"term": {"title": word}} for word in within]}}
        terms = {"field": "title", "size": limit or 10_000, "include": re.escape(prefix) + ".*"}
        response = self.client.search(
            index=self._name, size=0, query=query, aggs={"words": {"terms": terms}}
        )
        buckets = response["aggregations"]["words"]["buckets"]
        return [(str(b["key"]), int(b["doc_count"])) for b in buckets]

    def titles_starting(self, words: list[str], limit: int) -> list[str]:
        if not words:
            return []
        self._ensure_index()
        query = {"match_phrase_prefix": {"title": " ".join(words)}}
        size = limit * TITLE_HITS_PER_TITLE
        response = self.client.search(index=self._name, size=size, query=query)
        return family_titles((_doc(item) for item in response["hits"]["hits"]), limit)

    def close(self) -> None:
        self.client.close()


def _score(item: dict[str, Any]) -> float:
    return float(item.get("_score") or item.get("sort", [0.0])[0] or 0.0)


def _doc(item: dict[str, Any]) -> dict[str, Any]:
    return normalize_doc(item["_source"])
