"""Stock reservations: a checkout holds stock, payment commits it, a decline or expiry gives it back
(once), and an expired order's late payment is voided, never captured."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from contracts import events
from transactional.payments.domain import PaymentStatus
from transactional.payments.sandbox import APPROVE_CARD, DECLINE_CARD


class Interrupted(Exception):
    """Stands in for the process dying at a checkout step."""


def interrupted_checkout(store, customer: str, step: str) -> str:
    """Runs a checkout that stops right after `step`; returns the order it left behind."""

    def stop(reached: str) -> None:
        if reached == step:
            raise Interrupted(step)

    store.orders.saga.crash_hook = stop
    try:
        with pytest.raises(Interrupted):
            store.orders.checkout(customer, APPROVE_CARD)
    finally:
        store.orders.saga.crash_hook = lambda _step: None
    with store.engine.connect() as connection:
        return connection.execute(
            text("SELECT order_id FROM orders ORDER BY placed_at DESC, order_id LIMIT 1")
        ).scalar_one()


def reservations(store, order_id: str) -> dict[str, str]:
    with store.engine.connect() as connection:
        rows = connection.execute(
            text("SELECT product_id, status FROM stock_reservations WHERE order_id = :o"),
            {"o": order_id},
        )
        return dict(rows.all())


def test_paid_checkout_commits_and_decline_releases(store, customer, make_product):
    shoe, sock = make_product(stock=3), make_product(stock=3)
    store.cart.add_item(customer, shoe, 1)
    store.cart.add_item(customer, sock, 2)
    paid = store.orders.checkout(customer, APPROVE_CARD)
    assert reservations(store, paid.order_id) == {shoe: "committed", sock: "committed"}
    store.cart.add_item(customer, shoe, 2)
    declined = store.orders.checkout(customer, DECLINE_CARD)
    assert reservations(store, declined.order_id) == {shoe: "released"}
    assert store.inventory.stock_level(shoe) == 2 and store.inventory.stock_level(sock) == 1


def test_reservation_expires_after_15_minutes_once(
    store, customer, make_product, clock, outbox_rows, count
):
    product_id = make_product(stock=4)
    store.cart.add_item(customer, product_id, 3)
    order_id = interrupted_checkout(store, customer, "placed")
    assert store.inventory.stock_level(product_id) == 1
    assert store.orders.expire_reservations(clock.now() + timedelta(minutes=14)) == []
    assert store.orders.get(order_id).status == "pending_payment"
    before = count(store, "outbox")
    assert store.orders.expire_reservations(clock.now() + timedelta(minutes=15)) == [order_id]
    rows = outbox_rows(store)[before:]
    assert [r["type"] for r in rows] == [events.ORDER_STATUS_CHANGED, events.STOCK_CHANGED]
    assert rows[0]["payload"]["reason"] == "reservation_expired"
    assert rows[1]["payload"] == {
        "product_id": product_id,
        "quantity": 4,
        "delta": 3,
        "reason": "expire",
        "offer_id": f"of-{product_id}",
        "offer_stock": 4,
    }
    assert store.orders.get(order_id).status == "cancelled"
    assert reservations(store, order_id) == {product_id: "released"}
    # Idempotent: a second run (or a second job) finds nothing held.
    assert store.orders.expire_reservations(clock.now() + timedelta(hours=1)) == []
    assert count(store, "outbox") == before + 2 and store.inventory.stock_level(product_id) == 4


def test_payment_authorized_for_an_expired_order_is_voided(store, customer, make_product, clock):
    product_id = make_product(stock=2)
    store.cart.add_item(customer, product_id, 2)
    order_id = interrupted_checkout(store, customer, "authorized")
    clock.advance(timedelta(minutes=20))
    store.orders.expire_reservations()
    assert store.orders.reconcile_payments() == [order_id]
    assert store.orders.get(order_id).status == "cancelled"
    (record,) = store.payment_gateway.authorizations
    assert record.status is PaymentStatus.VOIDED and store.payment_gateway.captures == []
    assert store.inventory.stock_level(product_id) == 2


def test_reconcile_leaves_young_intents_to_their_checkout(store, customer, make_product, clock):
    store.cart.add_item(customer, make_product(stock=1), 1)
    order_id = interrupted_checkout(store, customer, "authorized")
    assert store.orders.reconcile_payments() == []  # younger than two minutes: still in flight
    clock.advance(timedelta(minutes=3))
    assert store.orders.reconcile_payments() == [order_id]
    assert store.orders.get(order_id).status == "paid"
    assert len(store.payment_gateway.captures) == 1


def test_money_jobs_expire_then_reconcile(store, customer, make_product, clock):
    from transactional.orders.jobs import run_money_jobs

    product_id = make_product(stock=1)
    store.cart.add_item(customer, product_id, 1)
    order_id = interrupted_checkout(store, customer, "placed")
    later = clock.now() + timedelta(minutes=16)
    assert run_money_jobs(store, later) == {"reservations_expired": 1, "payments_reconciled": 1}
    assert store.orders.get(order_id).status == "cancelled"
    assert store.inventory.stock_level(product_id) == 1
    assert run_money_jobs(store, later) == {"reservations_expired": 0, "payments_reconciled": 0}
