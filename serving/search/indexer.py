"""Keeps the search index (the catalog and stock read model) consistent with the event log."""

from __future__ import annotations

from typing import Any

from consumers.checkpoint import FileCheckpoint
from consumers.feed import OutboxFeed
from serving.search.index import SearchIndex, open_index
from storeloop.settings import Settings
from transactional.common import events as ev
from transactional.common.events import Event

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
)
FOLLOWED = (ev.PRODUCT_CREATED, ev.PRODUCT_UPDATED, ev.PRODUCT_DELETED, ev.STOCK_CHANGED)


class SearchIndexer:
    """Applies catalog and stock events; the checkpoint is written only after the index commit.

    Replays are harmless: upserts are keyed by product_id and stock events carry absolute levels.
    Deleted ids are kept as tombstones (in the checkpoint) so no later event brings one back.
    """

    def __init__(
        self, settings: Settings, index: SearchIndex | None = None, batch_size: int = 2_000
    ) -> None:
        self.index = index or open_index(settings)
        self.feed = OutboxFeed(settings.db_url)
        self.checkpoint = FileCheckpoint(settings.checkpoint_dir, NAME)
        self.batch_size = batch_size

    def run_once(self) -> int:
        """Applies every event after the checkpoint; returns how many catalog/stock events."""
        state = self.checkpoint.load()
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
            self.checkpoint.save(position, tombstones=sorted(tombstones), early_stock=early_stock)
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
            if event.type == ev.PRODUCT_DELETED:
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


def _product_id(event: Event) -> str:
    return str(event.payload.get("product_id") or event.aggregate_id)
