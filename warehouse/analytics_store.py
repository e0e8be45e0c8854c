"""The sandbox analytics service's storage: received batches in a SQLite file, keyed by batch_id."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path

_SCHEMA = """
create table if not exists batches (
    batch_id text primary key,
    dataset text not null,
    day text not null,
    row_count integer not null,
    body_sha256 text not null,
    body text not null,
    received_at text not null default (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
)
"""


class StoreOutcome(StrEnum):
    STORED = "stored"
    DUPLICATE = "duplicate"
    CONFLICT = "conflict"  # same batch_id, different content: a client bug, never merged


class ReceivedBatches:
    def __init__(self, path: Path) -> None:
        self.path = path

    def create(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as connection:
            connection.execute(_SCHEMA)

    def store(
        self, batch_id: str, dataset: str, day: str, row_count: int, body_sha256: str, body: str
    ) -> StoreOutcome:
        with self._connect() as connection:
            inserted = connection.execute(
                "insert or ignore into batches"
                " (batch_id, dataset, day, row_count, body_sha256, body) values (?, ?, ?, ?, ?, ?)",
                (batch_id, dataset, day, row_count, body_sha256, body),
            ).rowcount
            if inserted:
                return StoreOutcome.STORED
            (existing,) = connection.execute(
                "select body_sha256 from batches where batch_id = ?", (batch_id,)
            ).fetchone()
            return StoreOutcome.DUPLICATE if existing == body_sha256 else StoreOutcome.CONFLICT

    def rows_per_dataset(self) -> dict[str, int]:
        with self._connect() as connection:
            found = connection.execute(
                "select dataset, sum(row_count) from batches group by dataset order by dataset"
            ).fetchall()
        return {dataset: int(rows) for dataset, rows in found}

    def batch_count(self) -> int:
        with self._connect() as connection:
            return int(connection.execute("select count(*) from batches").fetchone()[0])

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        # one short connection per call: requests run on several threads
        connection = sqlite3.connect(self.path, timeout=10)
        try:
            with connection:
                yield connection
        finally:
            connection.close()
