"""Shared fixtures: the store's real outbox table on SQLite and a helper appending events."""

from __future__ import annotations

import json
import sys
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from storeloop.settings import Settings

# A pytest-xdist worker's __main__ (execnet's bootstrap) has neither a spec nor a file, which
# pyspark.sql.connect reads as "running pyspark's doctests" and answers with sys.exit(0) on
# import (Great Expectations imports it). Give it a file name so the import goes on.
_main = sys.modules["__main__"]
if getattr(_main, "__spec__", None) is None and not hasattr(_main, "__file__"):
    _main.__file__ = "<pytest-xdist worker>"


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


def pytest_collection_modifyitems(items):
    """Under `-n 2 --dist loadgroup` (scripts/test.sh) the end-to-end loop runs on one worker
    while every other test runs, one after another as they always have, on the other: the loop's
    own processes wait on each other much of the time, and the other tests share the PostgreSQL,
    Redis and ports that make test started, so they must not run beside each other."""
    for item in items:
        group = "loop" if item.get_closest_marker("e2e") else "suite"
        item.add_marker(pytest.mark.xdist_group(group))
