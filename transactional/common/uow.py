"""Unit of work: one database transaction; the events it collected are appended to the outbox
inside that same transaction, just before the commit."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine

from transactional.common.clock import Clock
from transactional.common.db import READ_ONLY
from transactional.common.events import Event
from transactional.common.outbox import append_events


class Transaction:
    def __init__(self, connection: Connection, now: datetime) -> None:
        self.connection = connection
        # One timestamp per transaction: every row and event of one change agrees on when.
        self.now = now
        self.events: list[Event] = []

    def record(self, event_type: str, aggregate_id: str, payload: dict[str, Any]) -> Event:
        event = Event(event_type, aggregate_id, payload, self.now)
        self.events.append(event)
        return event


class UnitOfWork:
    def __init__(self, engine: Engine, clock: Clock) -> None:
        self.engine = engine
        self.clock = clock

    @contextmanager
    def begin(self) -> Iterator[Transaction]:
        """Commits on normal exit (state plus outbox rows), rolls everything back on any error."""
        with self.engine.connect() as connection, connection.begin():
            tx = Transaction(connection, self.clock.now())
            yield tx
            append_events(connection, tx.events)

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect() as connection:
            connection = connection.execution_options(**READ_ONLY)
            with connection.begin():
                yield connection
