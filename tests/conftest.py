"""Shared fixtures: a real SQLite outbox table (SQLAlchemy Core) and a helper appending events."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from storeloop.settings import Settings


@pytest.fixture
def settings(tmp_path) -> Settings:
    settings = Settings(data_dir=tmp_path)
    settings.ensure_dirs()
    return settings


@pytest.fixture
def append_event(settings) -> Callable[..., int]:
    metadata = sa.MetaData()
    outbox = sa.Table(
        "outbox",
        metadata,
        sa.Column("position", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.Text, unique=True, nullable=False),
        sa.Column("type", sa.Text, nullable=False),
        sa.Column("aggregate_id", sa.Text, nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("occurred_at", sa.Text, nullable=False),
        sqlite_autoincrement=True,
    )
    engine = sa.create_engine(settings.db_url)
    metadata.create_all(engine)

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
