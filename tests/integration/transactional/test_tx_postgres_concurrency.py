"""No oversell on PostgreSQL: 200 buyers race for 10 units; the conditional UPDATE decides."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from sqlalchemy import text

from contracts import events
from transactional.inventory.domain import OutOfStock
from transactional.payments.sandbox import APPROVE_CARD

BUYERS = 200
UNITS = 10

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def test_200_buyers_race_for_10_units_and_exactly_10_win(pg_store):
    store = pg_store
    seller = store.users.register("Hot Seller", "hot@example.com", "seller")
    product_id = store.catalog.create_product(
        seller, "Hot item", "", "", "", Decimal("9.99"), initial_stock=UNITS
    )
    buyers = [store.users.register(f"B{n}", f"b{n}@example.com") for n in range(BUYERS)]
    for buyer in buyers:
        store.cart.add_item(buyer, product_id, 1)
    start = threading.Barrier(BUYERS)

    def buy(buyer: str) -> str:
        start.wait()  # every buyer checks out at the same moment
        try:
            return store.orders.checkout(buyer, APPROVE_CARD).status
        except OutOfStock:
            return "out_of_stock"

    # Any other exception (deadlock, serialization failure, pool timeout) surfaces from map().
    with ThreadPoolExecutor(max_workers=BUYERS) as pool:
        outcomes = Counter(pool.map(buy, buyers))

    assert outcomes == {"paid": UNITS, "out_of_stock": BUYERS - UNITS}
    assert store.inventory.stock_level(product_id) == 0
    with store.engine.connect() as connection:
        by_type = dict(
            connection.execute(text("SELECT type, COUNT(*) FROM outbox GROUP BY type")).all()
        )
        orders = connection.execute(text("SELECT status, COUNT(*) FROM orders GROUP BY status"))
        captured = connection.execute(
            text("SELECT COUNT(*) FROM payments WHERE status = 'captured'")
        ).scalar_one()
        orders_by_status = dict(orders.all())
    assert by_type[events.ORDER_PLACED] == UNITS
    assert by_type[events.PAYMENT_CAPTURED] == UNITS
    assert orders_by_status == {"paid": UNITS} and captured == UNITS
    # Losers changed nothing: their carts still hold the item.
    assert sum(len(store.cart.view(b).items) for b in buyers) == BUYERS - UNITS


def test_multi_sku_orders_race_without_deadlock_or_oversell(pg_store):
    # Carts fill in opposite orders; stock rows are still locked in product_id order, so
    # PostgreSQL never reports a deadlock and every SKU sells exactly its stock.
    store = pg_store
    seller = store.users.register("Multi Seller", "multi@example.com", "seller")
    skus = [
        store.catalog.create_product(seller, f"Part {n}", "", "", "", Decimal("3"), initial_stock=5)
        for n in range(3)
    ]
    buyers = [store.users.register(f"M{n}", f"m{n}@example.com") for n in range(40)]
    for n, buyer in enumerate(buyers):
        for sku in skus if n % 2 else reversed(skus):
            store.cart.add_item(buyer, sku, 1)
    start = threading.Barrier(len(buyers))

    def buy(buyer: str) -> str:
        start.wait()
        try:
            return store.orders.checkout(buyer, APPROVE_CARD).status
        except OutOfStock:
            return "out_of_stock"

    with ThreadPoolExecutor(max_workers=len(buyers)) as pool:
        outcomes = Counter(pool.map(buy, buyers))
    assert outcomes == {"paid": 5, "out_of_stock": 35}
    assert [store.inventory.stock_level(sku) for sku in skus] == [0, 0, 0]
