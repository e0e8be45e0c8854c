"""Shared fixtures: the store's real outbox table on SQLite and a helper appending events."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from storeloop.settings import Settings


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The fault-injection tests last. make test runs the rest beside both loops, whose start-up
    (Ray, Spark, Airflow, each a crowd of processes) loads the 2 cores most in the first minutes;
    collected first, the chaos test ran there three times and its clients' 30 s limit measured
    that start-up, not the store (it passed alone, and beside six busy cores)."""
    items.sort(key=lambda item: "chaos" in item.nodeid.split("/"))


@pytest.fixture
def settings(tmp_path) -> Settings:
    settings = Settings(data_dir=tmp_path)
    settings.ensure_dirs()
    return settings


@pytest.fixture
def append_event(settings) -> Callable[..., int]:
    # The producer's own table definition: consumers are tested against what the store writes.
    from transactional.common.outbox import outbox

    engine = sa.create_engine(settings.db_url)
    outbox.create(engine)

    def append(type_: str, aggregate_id: str, payload: dict, occurred_at: datetime | None = None):
        row = {
            "event_id": uuid.uuid4().hex,
            "type": type_,
            "aggregate_id": aggregate_id,
            "payload": json.dumps(payload),
            "occurred_at": (occurred_at or datetime(2025, 3, 1, 12, tzinfo=UTC)).isoformat(),
        }
        with engine.begin() as connection:
            return connection.execute(sa.insert(outbox).values(row)).inserted_primary_key[0]

    yield append
    engine.dispose()
