"""Reviews under concurrency on PostgreSQL: one buyer's simultaneous reviews make one review, and
many buyers' simultaneous reviews all count in the product's tally."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from sqlalchemy import text

from contracts import events
from transactional.catalog.reviews import ReviewExists
from transactional.payments.sandbox import APPROVE_CARD

pytestmark = pytest.mark.postgres
TABS = 8
BUYERS = 12


def _bought(store, buyer: str, product_id: str) -> None:
    store.cart.add_item(buyer, product_id, 1)
    assert store.orders.checkout(buyer, APPROVE_CARD).status == "paid"


def _race(calls: int, call):  # type: ignore[no-untyped-def]
    start = threading.Barrier(calls)

    def run(n: int) -> str:
        start.wait()
        try:
            call(n)
            return "posted"
        except ReviewExists:
            return "exists"

    with ThreadPoolExecutor(calls) as pool:
        return sorted(pool.map(run, range(calls)))


def _posted_events(store) -> int:
    with store.engine.connect() as connection:
        query = text("SELECT COUNT(*) FROM outbox WHERE type = :t")
        return connection.execute(query, {"t": events.REVIEW_POSTED}).scalar_one()


def test_one_buyers_simultaneous_reviews_make_one(pg_store):
    seller = pg_store.users.register("Sal", "sal@example.com", "seller")
    product = pg_store.catalog.create_product(
        seller, "Lamp", "", "", "Home", Decimal("9.99"), initial_stock=5
    )
    buyer = pg_store.users.register("Bea", "bea@example.com")
    _bought(pg_store, buyer, product)
    outcomes = _race(TABS, lambda n: pg_store.reviews.post_review(buyer, product, 5, f"tab {n}"))
    assert outcomes == ["exists"] * (TABS - 1) + ["posted"]
    assert pg_store.catalog.get_product(product).rating_count == 1
    assert _posted_events(pg_store) == 1


def test_simultaneous_reviews_of_many_buyers_all_count(pg_store):
    seller = pg_store.users.register("Sal", "sal@example.com", "seller")
    product = pg_store.catalog.create_product(
        seller, "Lamp", "", "", "Home", Decimal("9.99"), initial_stock=BUYERS
    )
    buyers = [pg_store.users.register(f"B{n}", f"b{n}@example.com") for n in range(BUYERS)]
    for buyer in buyers:
        _bought(pg_store, buyer, product)
    stars = [1 + n % 5 for n in range(BUYERS)]
    outcomes = _race(
        BUYERS, lambda n: pg_store.reviews.post_review(buyers[n], product, stars[n], "ok")
    )
    assert outcomes == ["posted"] * BUYERS
    view = pg_store.catalog.get_product(product)
    assert (view.rating, view.rating_count) == (round(sum(stars) / BUYERS, 2), BUYERS)
    assert _posted_events(pg_store) == BUYERS
