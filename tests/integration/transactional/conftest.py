"""Fixtures for transactional integration tests: a file-backed SQLite store in WAL mode, and the
PostgreSQL and Redis started by scripts/services.sh (tests marked postgres/redis fail, never skip,
when those are missing)."""

from __future__ import annotations

import os
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from alembic import command
from sqlalchemy import create_engine, text

from storeloop.settings import Settings
from tests.unit.transactional.conftest import (  # noqa: F401  (fixtures, shared with the unit suite)
    clock,
    count,
    customer,
    make_product,
    outbox_rows,
    seller,
)
from transactional.bootstrap import Store, bootstrap
from transactional.inventory.domain import OutOfStock
from transactional.payments.sandbox import APPROVE_CARD
from transactional.schema import alembic_config, metadata, upgrade

DATABASE_ENV = "STORE_TEST_DATABASE_URL"
REDIS_ENV = "STORE_TEST_REDIS_URL"


def required_env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        pytest.fail(f"{name} is not set: run `source scripts/services.sh` (make test does)")
    return value


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(data_dir=tmp_path)


@pytest.fixture
def file_store(settings) -> Iterator[Store]:
    built = bootstrap(settings)
    yield built
    built.close()


@pytest.fixture(scope="session")
def redis_url() -> str:
    return required_env(REDIS_ENV)


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """The test database, emptied and migrated once per session; fails if the server is down."""
    url = required_env(DATABASE_ENV)
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        upgrade(engine)
    except Exception as error:  # any failure to reach or reset the server must stop the test
        pytest.fail(f"PostgreSQL at {DATABASE_ENV} is not usable: {error}")
    finally:
        engine.dispose()
    return url


def truncate_all(url: str) -> None:
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            names = ", ".join(table.name for table in metadata.sorted_tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    finally:
        engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request) -> str:
    return request.param


@pytest.fixture
def database_url(backend, tmp_path, request) -> str:
    """A clean store database of the given backend: a fresh SQLite file, or PostgreSQL with every
    table truncated (bootstrap then seeds the id sequences again)."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    url = request.getfixturevalue("postgres_url")
    truncate_all(url)
    return url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def old_store_url(request, tmp_path) -> str:
    """A database of either backend at the revision the test module names `BEFORE`, empty:
    where a migration's test fills in yesterday's data."""
    revision = request.module.BEFORE
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'old.db'}"
        engine = create_engine(url)
        upgrade(engine, revision)
        engine.dispose()
        return url
    url = request.getfixturevalue("postgres_url")
    truncate_all(url)
    command.downgrade(alembic_config(url), revision)
    return url


@pytest.fixture
def store(database_url, tmp_path, clock) -> Iterator[Store]:  # noqa: F811 (the fixture)
    """The service layer on SQLite or PostgreSQL: the same tests must pass on both."""
    built = bootstrap(Settings(data_dir=tmp_path, database_url=database_url), clock=clock)
    yield built
    built.close()


@pytest.fixture
def pg_store(postgres_url, tmp_path) -> Iterator[Store]:
    truncate_all(postgres_url)
    built = bootstrap(Settings(data_dir=tmp_path, database_url=postgres_url))
    yield built
    built.close()


@pytest.fixture
def checkout_race(store, backend) -> Callable[[str, str, int], Counter[str]]:
    """A race for one offer: `race(product_id, offer_id, buyers)` registers that many buyers, puts
    one unit of the offer in each cart and has them all check out at once; the outcomes counted,
    "paid" or "out_of_stock"."""

    def race(product_id: str, offer_id: str, buyers: int) -> Counter[str]:
        buyer_ids = [store.users.register(f"B{n}", f"b{n}@example.com") for n in range(buyers)]
        for buyer in buyer_ids:
            store.cart.add_item(buyer, product_id, 1, offer_id=offer_id)
        # PostgreSQL takes every buyer at once; SQLite serialises writers, so fewer threads suffice.
        workers = buyers if backend == "postgres" else 8
        start = threading.Barrier(workers)

        def buy(buyer: str) -> str:
            if int(buyer.rsplit("-", 1)[-1]) <= workers:  # the first wave starts together
                start.wait()
            try:
                return store.orders.checkout(buyer, APPROVE_CARD).status
            except OutOfStock:
                return "out_of_stock"

        with ThreadPoolExecutor(max_workers=workers) as pool:
            return Counter(pool.map(buy, buyer_ids))

    return race
