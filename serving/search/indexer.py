"""Keeps the search index (the catalog and stock read model) consistent with the event log."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any

from consumers.checkpoint import FileCheckpoint
from consumers.feed import EventFeed, OutboxFeed
from contracts import events as ev
from contracts.events import Event
from serving.search.index import SearchIndex, open_index
from storeloop.locks import file_lock
from storeloop.settings import Settings

NAME = "search_indexer"
_CATALOG_KEYS = (
    "title",
    "description",
    "brand",
    "category",
    "price",
    "rating",
    "rating_count",
    "created_at",
    "parent_id",
    "options",
)
FOLLOWED = (ev.PRODUCT_CREATED, ev.PRODUCT_UPDATED, ev.PRODUCT_DELETED, ev.STOCK_CHANGED)


class SearchIndexer:
    """Applies catalog and stock events; the checkpoint is written only after the index commit.

    Replays are harmless: upserts are keyed by product_id and stock events carry absolute levels.
    Deleted ids are kept as tombstones (in the checkpoint) so no later event brings one back.
    """

    def __init__(
        self,
        settings: Settings,
        index: SearchIndex | None = None,
        batch_size: int = 2_000,
        checkpoint: FileCheckpoint | None = None,
        feed: EventFeed | None = None,
    ) -> None:
        self.settings = settings
        self.index = index or open_index(settings)
        # The outbox; bronze (consumers.bronze_feed) when the index is rebuilt from the lake.
        self.feed: EventFeed = feed or OutboxFeed(settings.db_url)
        self.checkpoint = checkpoint or FileCheckpoint(settings.checkpoint_dir, NAME)
        self.batch_size = batch_size

    def run_once(self) -> int:
        """Applies every event after the checkpoint; returns how many catalog/stock events.
        Holds the indexer lock, so a reindex never swaps the index under a batch."""
        with indexer_lock(self.settings):
            self.index.refresh()  # a reindex may have published a new index since the last run
            return self.catch_up()

    def catch_up(self) -> int:
        """`run_once` without the lock: for a reindex filling its own new index."""
        state = self.checkpoint.load()
        generation = _generation(self.index)
        if state.get("generation") != generation:
            # The checkpoint belongs to another index (one from before generations existed):
            # this one is filled from the start of the log.
            state = {"position": 0}
        position = int(state.get("position", 0))
        tombstones: set[str] = set(state.get("tombstones", []))
        # Stock that arrived before its product was indexed waits here for the ProductCreated.
        early_stock: dict[str, int] = dict(state.get("early_stock", {}))
        applied = 0
        while batch := self.feed.read(position, self.batch_size):
            followed = [event for event in batch if event.type in FOLLOWED]
            self._apply(followed, tombstones, early_stock)
            self.index.commit()
            position = batch[-1].position or position
            self.checkpoint.save(
                position, tombstones=sorted(tombstones), early_stock=early_stock,
                generation=generation,
            )  # fmt: skip
            applied += len(followed)
        return applied

    def _apply(
        self, events: list[Event], tombstones: set[str], early_stock: dict[str, int]
    ) -> None:
        ids = {_product_id(event) for event in events}
        docs: dict[str, dict[str, Any]] = self.index.get(ids - tombstones)
        deleted: set[str] = set()
        for event in events:
            product_id = _product_id(event)
            if product_id in tombstones:
                continue
            if _is_parent(event):
                # A parent is never bought: its variants are the family's results (each carries
                # the family's title, brand and category). Not a tombstone: it is still listed.
                docs.pop(product_id, None)
                deleted.add(product_id)
            elif event.type == ev.PRODUCT_DELETED:
                tombstones.add(product_id)
                docs.pop(product_id, None)
                early_stock.pop(product_id, None)
                deleted.add(product_id)
            elif event.type == ev.STOCK_CHANGED:
                level = max(0, int(event.payload.get("quantity", 0)))
                if product_id in docs:
                    docs[product_id]["stock"] = level
                else:
                    early_stock[product_id] = level
            else:
                doc = docs.setdefault(
                    product_id, {"product_id": product_id, "stock": early_stock.pop(product_id, 0)}
                )
                doc.update({k: event.payload[k] for k in _CATALOG_KEYS if k in event.payload})
        if deleted:
            self.index.delete(deleted)
        self.index.upsert(docs[product_id] for product_id in sorted(docs))


def indexer_lock(settings: Settings) -> AbstractContextManager[None]:
    """One writer of the live index at a time, across processes (an advisory file lock)."""
    return file_lock(settings.checkpoint_dir / f"{NAME}.lock")


def _generation(index: SearchIndex) -> str | None:
    """The tantivy generation folder the index writes, None for adapters without one."""
    folder = getattr(index, "generation", None)
    return getattr(folder, "name", None)


def _is_parent(event: Event) -> bool:
    return event.type in (ev.PRODUCT_CREATED, ev.PRODUCT_UPDATED) and bool(
        event.payload.get("option_names")
    )


def _product_id(event: Event) -> str:
    return str(event.payload.get("product_id") or event.aggregate_id)
