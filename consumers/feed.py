"""The outbox table read with SQLAlchemy Core, in position order, as `Event` envelopes.

On PostgreSQL positions come from a sequence when a row is inserted, not when it commits: a
transaction that took position 7 may commit after one that took 8 was read, and a reader that
checkpointed 8 would never see 7. So the feed stops before a missing position until it is
settled: every transaction that could hold it has ended (the snapshot's xmin has passed the
xmax seen when the gap was first met) and a moment has passed (a transaction takes its position
an instant before its id). A gap that is still missing then was rolled back, and is skipped.
SQLite has one writer: positions commit in order and there is nothing to wait for.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from contracts.events import Event

# Declared here, not imported: consumers must not depend on the transactional ORM.
_metadata = sa.MetaData()
OUTBOX = sa.Table(
    "outbox",
    _metadata,
    sa.Column("position", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("event_id", sa.String, unique=True, nullable=False),
    sa.Column("type", sa.String, nullable=False),
    sa.Column("aggregate_id", sa.String, nullable=False),
    sa.Column("payload", sa.Text, nullable=False),
    sa.Column("occurred_at", sa.String, nullable=False),
)


GAP_GRACE_S = 0.5
# Gaps first met, by (database, first missing position): when (monotonic) and the snapshot's
# xmax then. Module-wide, so consumers that open a feed per run still see a gap settle.
_gaps: dict[tuple[str, int], tuple[float, int]] = {}


def parse_occurred_at(text: str) -> datetime:
    """ISO 8601 to an aware UTC datetime; a naive stamp is taken as UTC."""
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


class OutboxFeed:
    """Reads events after a position; an absent outbox table reads as an empty log."""

    def __init__(self, db_url: str) -> None:
        self.db_url = db_url
        self._engine: sa.Engine | None = None

    @property
    def engine(self) -> sa.Engine:
        if self._engine is None:
            self._engine = sa.create_engine(self.db_url)
        return self._engine

    def read(self, after_position: int, limit: int) -> list[Event]:
        query = (
            sa.select(OUTBOX)
            .where(OUTBOX.c.position > after_position)
            .order_by(OUTBOX.c.position)
            .limit(limit)
        )
        with self.engine.connect() as connection:
            if not sa.inspect(connection).has_table("outbox"):
                return []
            rows = list(connection.execute(query).mappings().all())
            if connection.dialect.name == "postgresql":
                rows = self._before_open_gap(connection, after_position, rows)
        return [
            Event(
                type=row["type"],
                aggregate_id=row["aggregate_id"],
                payload=json.loads(row["payload"]),
                occurred_at=parse_occurred_at(row["occurred_at"]),
                event_id=row["event_id"],
                position=int(row["position"]),
            )
            for row in rows
        ]

    def _before_open_gap(
        self, connection: sa.Connection, after_position: int, rows: list[Any]
    ) -> list[Any]:
        """`rows` up to the first missing position that may still commit."""
        expected = after_position + 1
        for index, row in enumerate(rows):
            position = int(row["position"])
            if position != expected and not self._settled(connection, expected):
                return rows[:index]
            expected = position + 1
        return rows

    def _settled(self, connection: sa.Connection, missing: int) -> bool:
        key = (self.db_url, missing)
        if key not in _gaps:
            _gaps[key] = (time.monotonic(), _snapshot(connection, "xmax"))
        seen_at, xmax = _gaps[key]
        if _snapshot(connection, "xmin") < xmax:
            return False  # a transaction running when the gap was met may still commit it
        waited = time.monotonic() - seen_at
        if waited < GAP_GRACE_S:
            time.sleep(GAP_GRACE_S - waited)
        if _snapshot(connection, "xmin") < xmax:
            return False
        del _gaps[key]
        return True

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None


def _snapshot(connection: sa.Connection, bound: str) -> int:
    """xmin (oldest transaction still running) or xmax (next to start) of a fresh snapshot."""
    found = connection.execute(
        sa.text(f"SELECT pg_snapshot_{bound}(pg_current_snapshot())::text::bigint")
    ).scalar_one()
    connection.rollback()  # the next statement takes a fresh snapshot
    return int(found)
