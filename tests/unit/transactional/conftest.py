"""Fixtures for the transactional unit tests: a real store over in-memory SQLite, simulated time."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import text

from storeloop.settings import Settings
from transactional.bootstrap import Store, bootstrap
from transactional.common.clock import SimulatedClock

START = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> SimulatedClock:
    return SimulatedClock(START)


@pytest.fixture
def store(tmp_path, clock) -> Iterator[Store]:
    settings = Settings(data_dir=tmp_path, database_url="sqlite://")
    built = bootstrap(settings, clock=clock)
    yield built
    built.close()


@pytest.fixture
def seller(store: Store) -> str:
    return store.users.register("Sally Seller", "sally@example.com", "seller")


@pytest.fixture
def customer(store: Store) -> str:
    return store.users.register("Carl Customer", "carl@example.com")


@pytest.fixture
def make_product(store: Store, seller: str):
    def make(stock: int = 10, price: str = "19.99", **extra) -> str:
        return store.catalog.create_product(
            seller,
            extra.pop("title", "Trail Shoe"),
            "light and quick",
            "Stride",
            "shoes",
            Decimal(price),
            initial_stock=stock,
            **extra,
        )

    return make


def _outbox_rows(store: Store) -> list[dict]:
    with store.engine.connect() as connection:
        rows = connection.execute(text("SELECT * FROM outbox ORDER BY position")).mappings().all()
    return [{**row, "payload": json.loads(row["payload"])} for row in rows]


def _count(store: Store, table: str) -> int:
    with store.engine.connect() as connection:
        return connection.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one()


# Helpers are fixtures, not imports: `from conftest import` breaks once another folder has one.
@pytest.fixture
def outbox_rows():
    """outbox_rows(store): every outbox row in log order, payload decoded."""
    return _outbox_rows


@pytest.fixture
def count():
    """count(store, table): how many rows the table holds."""
    return _count
