"""The outbox table read with SQLAlchemy Core, in position order, as `Event` envelopes.

On PostgreSQL positions come from a sequence when a row is inserted, not when it commits: a
transaction that took position 7 may commit after one that took 8 was read, and a reader that
checkpointed 8 would never see 7. So the feed hands out nothing past a missing position until it
is settled: every transaction that was running when the gap was first met has ended. That is
enough because a transaction draws its id before its position (migration 0005): whoever holds
the missing position drew its id before an id the feed draws once it has seen the gap, and once
the oldest running id (a fresh snapshot's xmin) has passed the feed's, it has committed (a new
read finds the row) or rolled back (the position is skipped). SQLite has one writer: positions
commit in order.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any, Protocol

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


SETTLE_POLL_S = 0.01
SETTLE_WAIT_S = 0.2
# Gaps first met, by (database, first missing position): a transaction id drawn then.
# Module-wide, so consumers that open a feed per run still see a gap settle.
_gaps: dict[tuple[str, int], int] = {}


class EventFeed(Protocol):
    """What a consumer reads: events after a position, in position order (the outbox, or bronze
    when a read model is rebuilt from the lake)."""

    def read(self, after_position: int, limit: int) -> list[Event]: ...


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
                rows = self._up_to_open_hole(connection, query, after_position, rows)
        if rows and _gaps:
            # Gaps first met below what is handed out are filled or final now: forgotten, so a
            # log that starts again (a truncated table) is not judged by an old transaction id.
            last = int(rows[-1]["position"])
            for key in [k for k in _gaps if k[0] == self.db_url and k[1] <= last]:
                del _gaps[key]
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

    def _up_to_open_hole(
        self, connection: sa.Connection, query: sa.Select, after_position: int, rows: list[Any]
    ) -> list[Any]:
        """`rows` up to the first missing position that may still commit."""
        final: list[tuple[int, int]] = []  # holes settled during this read
        while (hole := _first_hole(after_position, rows, final)) is not None:
            if not self._settled(connection, hole[0]):
                return rows[: hole[2]]
            # Settled, but its transaction may have committed after the rows were read: read
            # again, and what is still missing then was rolled back.
            final.append(hole[:2])
            rows = list(connection.execute(query).mappings().all())
        return rows

    def _settled(self, connection: sa.Connection, missing: int) -> bool:
        """Whether no transaction can still commit `missing`; waits briefly for the usual case,
        a transaction a moment from its commit, so that a catch-up reads to the end."""
        key = (self.db_url, missing)
        if key not in _gaps:
            _gaps[key] = _next_xid(connection)
        deadline = time.monotonic() + SETTLE_WAIT_S
        while _oldest_running_xid(connection) < _gaps[key]:
            if time.monotonic() >= deadline:
                return False  # still running: the next read looks again
            time.sleep(SETTLE_POLL_S)
        del _gaps[key]
        return True

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None


def _first_hole(
    after_position: int, rows: list[Any], final: list[tuple[int, int]]
) -> tuple[int, int, int] | None:
    """The first run of missing positions not already final: (first, end, index of the row
    after it)."""
    expected = after_position + 1
    for index, row in enumerate(rows):
        position = int(row["position"])
        if position > expected and not any(a <= expected and position <= b for a, b in final):
            return expected, position, index
        expected = position + 1
    return None


def _next_xid(connection: sa.Connection) -> int:
    """A transaction id drawn now (then rolled back): every id drawn earlier is below it. A
    snapshot's xmax would not do: it is one past the last id to finish, and a transaction that
    drew a later id may still be running."""
    drawn = connection.execute(sa.text("SELECT pg_current_xact_id()::text::bigint")).scalar_one()
    connection.rollback()
    return int(drawn)


def _oldest_running_xid(connection: sa.Connection) -> int:
    """xmin of a fresh snapshot: every transaction id below it has ended."""
    found = connection.execute(
        sa.text("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint")
    ).scalar_one()
    connection.rollback()  # the next statement takes a fresh snapshot
    return int(found)
