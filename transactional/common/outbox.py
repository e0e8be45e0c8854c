"""The transactional outbox: events are rows written in the same transaction as the change."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Column, Connection, Integer, String, Table, Text

from contracts.events import Event
from transactional.common.clock import iso
from transactional.common.db import metadata
from transactional.common.driver_sql import inserting

outbox = Table(
    "outbox",
    metadata,
    Column("position", Integer, primary_key=True, autoincrement=True),
    Column("event_id", String(32), nullable=False, unique=True),
    Column("type", String(80), nullable=False),
    Column("aggregate_id", String(64), nullable=False),
    Column("payload", Text, nullable=False),
    Column("occurred_at", String(40), nullable=False),
    # Positions must never be reused after a delete, or a consumer's checkpoint would skip rows.
    sqlite_autoincrement=True,
)


_INSERT = inserting(outbox)


def append_events(connection: Connection, events: Sequence[Event]) -> None:
    if not events:
        return
    _INSERT.execute_many(
        connection,
        [
            {
                "event_id": e.event_id,
                "type": e.type,
                "aggregate_id": e.aggregate_id,
                "payload": e.payload_json(),
                "occurred_at": iso(e.occurred_at),
            }
            for e in events
        ],
    )
