"""The store on a real SQLite file: WAL, concurrent checkouts that never oversell, throughput."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

from sqlalchemy import text

from transactional.bootstrap import bootstrap
from transactional.inventory.domain import OutOfStock
from transactional.payments.sandbox import APPROVE_CARD


def test_database_file_is_in_wal_mode_and_schema_survives_a_restart(settings, file_store):
    seller = file_store.users.register("Sam", "sam@example.com", "seller")
    with file_store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    file_store.close()
    reopened = bootstrap(settings)  # create_all is a no-op on an existing schema
    try:
        assert reopened.users.get(seller).role.value == "seller"
        assert reopened.users.register("Sue", "sue@example.com", "seller") == "s-000002"
    finally:
        reopened.close()


def test_concurrent_checkouts_never_oversell(file_store):
    seller = file_store.users.register("Sam", "sam@example.com", "seller")
    product_id = file_store.catalog.create_product(
        seller, "Last few", "", "", "", Decimal("5"), initial_stock=5
    )
    shoppers = [file_store.users.register(f"S{n}", f"s{n}@example.com") for n in range(12)]
    for shopper in shoppers:
        file_store.cart.add_item(shopper, product_id, 1)

    def buy(shopper: str) -> str:
        try:
            return file_store.orders.checkout(shopper, APPROVE_CARD).status
        except OutOfStock:
            return "out_of_stock"

    with ThreadPoolExecutor(max_workers=6) as pool:
        outcomes = list(pool.map(buy, shoppers))
    assert outcomes.count("paid") == 5 and outcomes.count("out_of_stock") == 7
    assert file_store.inventory.stock_level(product_id) == 0
    with file_store.engine.connect() as connection:
        placed = connection.execute(
            text("SELECT COUNT(*) FROM outbox WHERE type = 'orders.OrderPlaced.v1'")
        ).scalar_one()
    assert placed == 5


def test_listing_products_stays_fast(file_store):
    # The simulator lists 5,000 products (about 5 s here). The bound is loose because this
    # machine is shared; it catches a commit that syncs to disk or a statement rebuilt per call.
    seller = file_store.users.register("Sam", "sam@example.com", "seller")
    started = time.perf_counter()
    for n in range(500):
        file_store.catalog.create_product(
            seller, f"Item {n}", "", "Brand", "cat", Decimal("9.99"), initial_stock=3
        )
    elapsed = time.perf_counter() - started
    assert elapsed < 5.0, f"500 create_product calls took {elapsed:.1f}s"
    assert file_store.catalog.get_product("p-000500").stock == 3
