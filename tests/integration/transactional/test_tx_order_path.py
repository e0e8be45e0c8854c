"""The order path's cost, counted (not timed, so a busy machine cannot move it), and the Redis
cart chosen by settings in bootstrap and emptied only once the order's commit has succeeded."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from decimal import Decimal

import pytest
from sqlalchemy import create_engine, event, text

from storeloop.settings import Settings
from transactional.bootstrap import Store, bootstrap
from transactional.cart.redis_carts import RedisCartBackend
from transactional.inventory.domain import OutOfStock
from transactional.payments.sandbox import APPROVE_CARD

# Per add-to-cart plus checkout, once warm. Before issue 3: 8 transactions (4 of them reads)
# and 38 statements; a change that needs more should say why. Offers added four: the add reads
# the product's offers (the buy box's price); placing reads them and takes the units from the
# offer before the product's sum; the capture writes the seller's payout. Issue 15 took three
# away: the add's view reuses the offers the add read, and the checkout's two payment steps take
# the order's lines from the placing step instead of reading them again; and one more: the
# idempotency key is looked up only when placing fails (a retry), not before every checkout.
# Then a transaction and six statements: the checkout captures an approved authorization at once
# and records both in one transaction, the payment row written once and the intent moved once.
WRITE_TRANSACTIONS = 3  # add, place (with the intent), record authorization and capture
STATEMENTS = {"sqlite": 29, "postgres": 26}  # SQLite's BEGIN IMMEDIATE is a statement too


def test_add_and_checkout_stay_within_their_round_trips(store, customer, make_product, backend):
    product = make_product(stock=100)
    store.cart.add_item_and_view(customer, product, 1)
    store.orders.checkout(customer, APPROVE_CARD, "warm-up")
    seen = {"statements": 0, "commits": 0, "checkouts": 0}

    def bump(name: str):  # type: ignore[no-untyped-def]
        return lambda *_args: seen.__setitem__(name, seen[name] + 1)

    event.listen(store.engine, "before_cursor_execute", bump("statements"))
    event.listen(store.engine, "commit", bump("commits"))
    event.listen(store.engine.pool, "checkout", bump("checkouts"))
    store.cart.add_item_and_view(customer, product, 1)
    order = store.orders.checkout(customer, APPROVE_CARD, "counted")
    assert order.status == "paid"
    assert seen["commits"] == WRITE_TRANSACTIONS
    assert seen["checkouts"] == WRITE_TRANSACTIONS  # no connection only to read
    assert seen["statements"] <= STATEMENTS[backend]


@pytest.fixture
def redis_store(tmp_path, redis_url) -> Iterator[Store]:
    namespace = f"test-{uuid.uuid4().hex}:"
    built = bootstrap(
        Settings(
            data_dir=tmp_path, cart_backend="redis", redis_url=redis_url, redis_namespace=namespace
        )
    )
    yield built
    assert isinstance(built.carts, RedisCartBackend)
    for key in built.carts.client.scan_iter(match=namespace + "*"):
        built.carts.client.delete(key)
    built.close()


@pytest.mark.redis
def test_bootstrap_honours_the_redis_cart_setting_and_empties_after_the_commit(redis_store):
    store = redis_store
    assert isinstance(store.carts, RedisCartBackend)
    seller = store.users.register("Sal", "sal@example.com", "seller")
    customer = store.users.register("Cy", "cy@example.com")
    lamp = store.catalog.create_product(
        seller, "Lamp", "", "", "", Decimal("4.00"), initial_stock=5
    )
    store.cart.add_item(customer, lamp, 2)
    # The cart is kept in Redis, not in the store database.
    with store.engine.connect() as connection:
        assert connection.execute(text("SELECT COUNT(*) FROM cart_items")).scalar_one() == 0
    orders_when_emptied: list[int] = []
    empty = store.carts.empty_script

    def empty_and_look(keys):  # type: ignore[no-untyped-def]
        # Another connection sees only committed rows: the order must already be there.
        other = create_engine(store.engine.url)
        with other.connect() as connection:
            seen = connection.execute(text("SELECT COUNT(*) FROM orders")).scalar_one()
        other.dispose()
        orders_when_emptied.append(seen)
        return empty(keys)

    store.carts.empty_script = empty_and_look  # type: ignore[method-assign]
    order = store.orders.checkout(customer, APPROVE_CARD, "k1")
    assert order.status == "paid"
    assert orders_when_emptied == [1]
    assert store.cart.view(customer).items == []


@pytest.mark.redis
def test_a_rolled_back_order_leaves_the_redis_cart_full(redis_store):
    store = redis_store
    seller = store.users.register("Sal", "sal@example.com", "seller")
    customer = store.users.register("Cy", "cy@example.com")
    lamp = store.catalog.create_product(
        seller, "Lamp", "", "", "", Decimal("4.00"), initial_stock=1
    )
    store.cart.add_item(customer, lamp, 3)
    with pytest.raises(OutOfStock):
        store.orders.checkout(customer, APPROVE_CARD, "k1")
    assert [(i.product_id, i.quantity) for i in store.cart.view(customer).items] == [(lamp, 3)]
