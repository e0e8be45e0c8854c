"""Each state change commits with its outbox rows or not at all.

A real SQLite trigger makes one write fail inside the transaction; nothing may stay behind.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from contracts import events
from transactional.payments.sandbox import APPROVE_CARD


def fail_inserts_into(store, table: str) -> None:
    with store.engine.begin() as connection:
        connection.execute(
            text(
                f"CREATE TRIGGER fail_{table} BEFORE INSERT ON {table} "
                "BEGIN SELECT RAISE(ABORT, 'injected failure'); END"
            )
        )


def test_product_is_not_created_when_its_event_cannot_be_written(store, seller, count):
    fail_inserts_into(store, "outbox")
    with pytest.raises(DatabaseError):
        store.catalog.create_product(seller, "Kettle", "", "", "", Decimal("30"), initial_stock=5)
    assert count(store, "products") == 0 and count(store, "stock") == 0


def test_event_is_not_written_when_the_product_cannot_be(store, seller, count):
    before = count(store, "outbox")
    fail_inserts_into(store, "stock")
    with pytest.raises(DatabaseError):
        store.catalog.create_product(seller, "Kettle", "", "", "", Decimal("30"), initial_stock=5)
    assert count(store, "outbox") == before and count(store, "products") == 0


def test_order_placement_is_all_or_nothing(store, customer, make_product, count):
    product_id = make_product(stock=5)
    store.cart.add_item(customer, product_id, 2)
    before = count(store, "outbox")
    fail_inserts_into(store, "order_items")
    with pytest.raises(DatabaseError):
        store.orders.checkout(customer, APPROVE_CARD)
    assert count(store, "outbox") == before and count(store, "orders") == 0
    assert store.inventory.stock_level(product_id) == 5
    assert len(store.cart.view(customer).items) == 1


def test_a_recommendation_list_is_not_recorded_when_its_event_cannot_be(store, count):
    fail_inserts_into(store, "outbox")
    items = [{"product_id": "p-1", "position": 1, "score": 1.0}]
    with pytest.raises(DatabaseError):
        store.storefront.record_recommendations("s", None, "feed", None, "7", "sasrec", items)
    assert count(store, "recommendation_lists") == 0


def test_registration_and_its_event_commit_together(store, count):
    fail_inserts_into(store, "outbox")
    with pytest.raises(DatabaseError):
        store.users.register("Ann", "ann@example.com")
    assert count(store, "users") == 0


def test_log_order_follows_commit_order_and_event_ids_are_unique(store, make_product):
    made = [make_product(stock=1) for _ in range(3)]
    with store.engine.connect() as connection:
        rows = connection.execute(
            text("SELECT position, event_id, type, aggregate_id FROM outbox ORDER BY position")
        ).all()
    assert [r.position for r in rows] == list(range(1, len(rows) + 1))
    assert len({r.event_id for r in rows}) == len(rows)
    # After the seller's registration: each product's creation, then its first stock level.
    assert [(r.type, r.aggregate_id) for r in rows[1:]] == [
        (t, p) for p in made for t in (events.PRODUCT_CREATED, events.STOCK_CHANGED)
    ]
