"""The scale-out search index: an Elasticsearch index via the official v9 client."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from elasticsearch import Elasticsearch, NotFoundError, helpers

from serving.search.index.port import (
    TITLE_BOOST,
    Hit,
    QuerySpec,
    SearchHits,
    SearchIndex,
    facet_key,
    normalize_doc,
)

MAPPINGS = {
    "properties": {
        "product_id": {"type": "keyword"},
        "title": {"type": "text"},
        "description": {"type": "text"},
        "brand": {"type": "text"},
        "brand_key": {"type": "keyword"},
        "category": {"type": "text"},
        "category_key": {"type": "keyword"},
        "price": {"type": "double"},
        "rating": {"type": "double"},
        "rating_count": {"type": "long"},
        "stock": {"type": "long"},
        "in_stock": {"type": "boolean"},
        "created_at": {"type": "keyword"},
    }
}
_FIELDS = [f"title^{TITLE_BOOST:g}", "description", "brand^1.5", "category^1.5"]


class ElasticsearchIndex(SearchIndex):
    """Documents keyed by product_id; `commit()` is a refresh, making writes searchable."""

    def __init__(self, url: str, index_name: str = "products") -> None:
        self.client = Elasticsearch(url)
        self.index_name = index_name
        self._pending: list[dict[str, Any]] = []
        self._ready = False

    def _ensure_index(self) -> None:
        if not self._ready and not self.client.indices.exists(index=self.index_name):
            self.client.indices.create(index=self.index_name, mappings=MAPPINGS)
        self._ready = True

    def upsert(self, docs: Iterable[dict[str, Any]]) -> None:
        for raw in docs:
            doc = normalize_doc(raw)
            source = {
                **doc,
                "brand_key": facet_key(doc["brand"]),
                "category_key": facet_key(doc["category"]),
            }
            self._pending.append({"_op_type": "index", "_id": doc["product_id"], "_source": source})

    def delete(self, product_ids: Iterable[str]) -> None:
        self._pending += [{"_op_type": "delete", "_id": str(pid)} for pid in product_ids]

    def commit(self) -> None:
        self._ensure_index()
        if self._pending:
            # A delete of an absent id is a 404 per item; deleting twice must stay harmless.
            helpers.bulk(self.client, self._pending, index=self.index_name, raise_on_error=False)
            self._pending = []
        self.client.indices.refresh(index=self.index_name)

    def search(self, spec: QuerySpec) -> SearchHits:
        self._ensure_index()
        must: list[dict] = []
        if spec.terms:
            operator = "and" if spec.match_all_terms else "or"
            must.append(
                {
                    "multi_match": {
                        "query": " ".join(spec.terms),
                        "fields": _FIELDS,
                        "operator": operator,
                        "type": "cross_fields",
                    }
                }
            )
        body: dict[str, Any] = {
            "query": {"bool": {"must": must or [{"match_all": {}}], "filter": _filters(spec)}},
            "size": max(1, spec.limit),
            "track_total_hits": True,
        }
        if spec.order_by_rating:
            body["sort"] = [{"rating": "desc"}, {"product_id": "asc"}]
        response = self.client.search(index=self.index_name, **body)
        hits = [
            Hit(item["_id"], float(item.get("_score") or item["_source"]["rating"]), _doc(item))
            for item in response["hits"]["hits"]
        ]
        return SearchHits(total=int(response["hits"]["total"]["value"]), hits=hits)

    def get(self, product_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        wanted = sorted({str(pid) for pid in product_ids})
        if not wanted:
            return {}
        self._ensure_index()
        try:
            response = self.client.mget(index=self.index_name, ids=wanted)
        except NotFoundError:
            return {}
        return {item["_id"]: _doc(item) for item in response["docs"] if item.get("found")}

    def count(self) -> int:
        self._ensure_index()
        return int(self.client.count(index=self.index_name)["count"])

    def close(self) -> None:
        self.client.close()


def _doc(item: dict[str, Any]) -> dict[str, Any]:
    return normalize_doc(item["_source"])


def _filters(spec: QuerySpec) -> list[dict]:
    found: list[dict] = []
    if spec.brand:
        found.append({"term": {"brand_key": facet_key(spec.brand)}})
    if spec.category:
        found.append({"term": {"category_key": facet_key(spec.category)}})
    if spec.price_min is not None or spec.price_max is not None:
        bounds = {"gte": spec.price_min, "lte": spec.price_max}
        found.append({"range": {"price": {k: v for k, v in bounds.items() if v is not None}}})
    if spec.in_stock_only:
        found.append({"term": {"in_stock": True}})
    return found
