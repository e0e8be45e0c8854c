"""Fixtures for the data-safety drills: a small store on PostgreSQL in a `drill_` schema of its
own (the test database's public schema belongs to the other tests), and a store seeded with paid,
declined and no pending orders through the service layer."""

from __future__ import annotations

import os
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from benchmarks.order_placement import drop_schemas, in_schema
from storeloop.settings import Settings
from transactional.bootstrap import bootstrap
from transactional.payments.sandbox import APPROVE_CARD, DECLINE_CARD

DATABASE_ENV = "STORE_TEST_DATABASE_URL"


def _server_url() -> str:
    url = os.environ.get(DATABASE_ENV)
    if not url:
        pytest.fail(f"{DATABASE_ENV} is not set: run `source scripts/services.sh` (make test does)")
    return url


@pytest.fixture
def drill_schema_url(request) -> Iterator[str]:
    """A PostgreSQL URL whose search_path is an empty schema `drill_<test>`, dropped after."""
    schema = f"drill_{request.node.name.split('[')[0].removeprefix('test_')[:40]}".lower()
    server = _server_url()
    yield in_schema(server, schema)
    drop_schemas(server, schema)


def seed(url: str, data_dir: Path, orders: int = 6) -> dict[str, list[str]]:
    """A catalog of 4 products, one deleted, and `orders` checkouts by 3 customers: every third
    declined (cancelled, stock back), the rest paid."""
    store = bootstrap(Settings(data_dir=data_dir, database_url=url))
    try:
        seller = store.users.register("Drill Seller", "seller@drill.example", "seller")
        products = [
            store.catalog.create_product(
                seller,
                f"Drill lamp {n}",
                "warm light",
                "Drill",
                "lamps",
                Decimal("12.50"),
                initial_stock=50 + 2 * orders,
            )  # fmt: skip
            for n in range(4)
        ]
        store.catalog.delete_product(products[-1], seller)
        customers = [
            store.users.register(f"Shopper {n}", f"shopper{n}@drill.example") for n in range(3)
        ]
        placed = []
        for n in range(orders):
            customer = customers[n % len(customers)]
            store.cart.add_item(customer, products[n % 3], 1 + n % 2)
            store.cart.add_item(customer, products[(n + 1) % 3], 1)
            card = DECLINE_CARD if n % 3 == 2 else APPROVE_CARD
            placed.append(store.orders.checkout(customer, card).order_id)
        return {"products": products, "customers": customers, "orders": placed}
    finally:
        store.close()


@pytest.fixture
def seed_store():
    """seed_store(url, data_dir, orders=6): the catalog and orders above; their ids."""
    return seed
