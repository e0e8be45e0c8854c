"""Every event consumer of the outbox by name; each run reads from its checkpoint to the end."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from storeloop.settings import Settings


def _lake_writer(settings: Settings) -> Any:
    from consumers.lake_writer import LakeWriter

    return LakeWriter(settings)


def _search_indexer(settings: Settings) -> Any:
    from serving.search.indexer import SearchIndexer

    return SearchIndexer(settings)


def _query_log(settings: Settings) -> Any:
    from serving.search.query_log import QueryLogConsumer

    return QueryLogConsumer(settings)


def _shopper_activity(settings: Settings) -> Any:
    from consumers.shopper_activity import ShopperActivityConsumer

    return ShopperActivityConsumer(settings)


CONSUMERS: dict[str, Callable[[Settings], Any]] = {
    "lake_writer": _lake_writer,
    "search_indexer": _search_indexer,
    "query_log": _query_log,
    "shopper_activity": _shopper_activity,  # fresh signals: Feast's online store
}


def checkpoint_names() -> dict[str, str]:
    """Consumer -> the name of its checkpoint file (what its lag is measured from)."""
    from consumers import lake_writer, shopper_activity
    from serving.search import indexer, query_log

    return {
        "lake_writer": lake_writer.NAME,
        "search_indexer": indexer.NAME,
        "query_log": query_log.NAME,
        "shopper_activity": shopper_activity.NAME,
    }


# Followed within a fraction of a second while shoppers shop (see launch.followers).
FAST_CONSUMERS: tuple[str, ...] = ("shopper_activity",)


def run_some(settings: Settings, names: Iterable[str]) -> dict[str, int]:
    """Events applied per consumer, e.g. `{"lake_writer": 120, "search_indexer": 120}`."""
    settings.ensure_dirs()
    return {name: CONSUMERS[name](settings).run_once() for name in names}


def run_all(settings: Settings) -> dict[str, int]:
    return run_some(settings, CONSUMERS)
