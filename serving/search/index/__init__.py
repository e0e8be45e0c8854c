"""Picks the search index adapter named by `settings.search_backend`."""

from __future__ import annotations

from serving.search.index.port import Hit, QuerySpec, SearchHits, SearchIndex, SearchIndexError
from storeloop.settings import Settings

__all__ = ["Hit", "QuerySpec", "SearchHits", "SearchIndex", "SearchIndexError", "open_index"]


def open_index(settings: Settings, check_every_s: float = 0.0) -> SearchIndex:
    """`check_every_s`: how often an embedded index's reader looks for the indexer's commits (at
    most; 0: on every call). A search server's replica checks every few tens of milliseconds,
    as Elasticsearch refreshes every second; its own writes are visible at once either way."""
    if settings.search_backend == "elasticsearch":
        from serving.search.index.elasticsearch_index import ElasticsearchIndex

        if not settings.elasticsearch_url:
            raise SearchIndexError("config", "search_backend=elasticsearch needs elasticsearch_url")
        return ElasticsearchIndex(settings.elasticsearch_url)
    from serving.search.index.tantivy_index import TantivyIndex

    return TantivyIndex(settings.search_index_dir, refresh_s=check_every_s)
