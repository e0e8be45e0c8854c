"""Unit of work: one database transaction; the events it collected are appended to the outbox
inside that same transaction, just before the commit."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine

from contracts.events import Event
from transactional.common.clock import Clock
from transactional.common.db import READ_ONLY
from transactional.common.outbox import append_events

# Execution option on a unit of work's connection naming its Transaction, so adapters that are
# handed only the connection (the cart port) can still ask for `after_commit`.
TRANSACTION_OPTION = "store_transaction"

log = logging.getLogger(__name__)


class Transaction:
    def __init__(self, connection: Connection, now: datetime) -> None:
        self.connection = connection
        # One timestamp per transaction: every row and event of one change agrees on when.
        self.now = now
        self.events: list[Event] = []
        self.committed_callbacks: list[Callable[[], None]] = []

    def record(self, event_type: str, aggregate_id: str, payload: dict[str, Any]) -> Event:
        event = Event(event_type, aggregate_id, payload, self.now)
        self.events.append(event)
        return event

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Runs `callback` once the COMMIT has succeeded; never on a rollback. For writes to
        systems that cannot join the transaction (Redis): a crash in between skips them."""
        self.committed_callbacks.append(callback)


def transaction_of(connection: Connection) -> Transaction | None:
    """The unit of work `connection` belongs to; None for reads and bare connections."""
    return connection.get_execution_options().get(TRANSACTION_OPTION)


class UnitOfWork:
    def __init__(self, engine: Engine, clock: Clock) -> None:
        self.engine = engine
        self.clock = clock
        # Server databases read in autocommit: at READ COMMITTED every statement takes its own
        # snapshot anyway, so BEGIN/COMMIT around a read buy nothing but two round trips.
        # SQLite keeps its read transaction: that is what gives a read one WAL snapshot.
        self.read_options = READ_ONLY | (
            {} if engine.dialect.name == "sqlite" else {"isolation_level": "AUTOCOMMIT"}
        )

    @contextmanager
    def begin(self) -> Iterator[Transaction]:
        """Commits on normal exit (state plus outbox rows), rolls everything back on any error;
        the after-commit callbacks run after the commit, outside the transaction."""
        with self.engine.connect() as connection, connection.begin():
            tx = Transaction(connection, self.clock.now())
            connection.execution_options(**{TRANSACTION_OPTION: tx})
            yield tx
            append_events(connection, tx.events)
        for callback in tx.committed_callbacks:
            try:
                callback()
            except Exception:  # noqa: BLE001 - the commit stands; a crash here would skip it too
                log.exception("after-commit callback failed; the transaction stays committed")

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect() as connection:
            connection = connection.execution_options(**self.read_options)
            with connection.begin():
                yield connection
