"""Picks the search index adapter named by `settings.search_backend`."""

from __future__ import annotations

from serving.search.index.port import Hit, QuerySpec, SearchHits, SearchIndex, SearchIndexError
from storeloop.settings import Settings

__all__ = ["Hit", "QuerySpec", "SearchHits", "SearchIndex", "SearchIndexError", "open_index"]


def open_index(settings: Settings) -> SearchIndex:
    if settings.search_backend == "elasticsearch":
        from serving.search.index.elasticsearch_index import ElasticsearchIndex

        if not settings.elasticsearch_url:
            raise SearchIndexError("config", "search_backend=elasticsearch needs elasticsearch_url")
        return ElasticsearchIndex(settings.elasticsearch_url)
    from serving.search.index.tantivy_index import TantivyIndex

    return TantivyIndex(settings.search_index_dir)
