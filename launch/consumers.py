"""Runs every event consumer once, to the end of the log."""

from __future__ import annotations

from consumers.lake_writer import LakeWriter
from consumers.shopper_activity import ShopperActivityConsumer
from storeloop.settings import Settings


def run_all(settings: Settings) -> dict:
    """Returns events applied per consumer, e.g. `{"lake_writer": 120, "search_indexer": 120}`."""
    from serving.search.indexer import SearchIndexer
    from serving.search.query_log import QueryLogConsumer

    settings.ensure_dirs()
    return {
        "lake_writer": LakeWriter(settings).run_once(),
        "search_indexer": SearchIndexer(settings).run_once(),
        "query_log": QueryLogConsumer(settings).run_once(),
        "shopper_activity": ShopperActivityConsumer(settings).run_once(),
    }
