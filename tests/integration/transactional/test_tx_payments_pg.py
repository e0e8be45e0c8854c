"""Exactly once under contention on PostgreSQL: orders left authorized by dead checkouts are
settled at the same time by several recovery jobs, redelivered webhooks and the expiry job; each
ends paid with one capture, or cancelled with its money voided or refunded, and no stock is lost."""

from __future__ import annotations

import json
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import text

from transactional.payments.domain import PaymentStatus
from transactional.payments.sandbox import APPROVE_CARD

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

ORDERS = 16


class Interrupted(Exception):
    pass


def test_recovery_webhooks_and_expiry_racing_settle_each_payment_once(pg_store):
    store = pg_store
    seller = store.users.register("Race Seller", "race@example.com", "seller")
    product_id = store.catalog.create_product(
        seller, "Hot", "", "", "", Decimal("5.00"), initial_stock=ORDERS
    )
    buyers = [store.users.register(f"R{n}", f"r{n}@example.com") for n in range(ORDERS)]

    def die(step: str) -> None:
        if step == "authorized":
            raise Interrupted(step)

    store.orders.saga.crash_hook = die
    for buyer in buyers:
        store.cart.add_item(buyer, product_id, 1)
        with pytest.raises(Interrupted):
            store.orders.checkout(buyer, APPROVE_CARD)
    store.orders.saga.crash_hook = lambda _step: None
    queued: list[dict] = []
    store.payment_gateway.webhooks.deliver(
        lambda body, _headers: queued.append(json.loads(body)), datetime.now(UTC), flush=True
    )
    later = datetime.now(UTC) + timedelta(minutes=16)
    jobs = [lambda: store.orders.reconcile_payments(stale_after=timedelta(0))] * 4
    jobs += [lambda e=e: store.orders.apply_payment_webhook(e) for e in queued]
    # Half the jobs also see every reservation expired: they race the captures for each order.
    jobs += [lambda: store.orders.expire_reservations(later)] * 2
    with ThreadPoolExecutor(max_workers=12) as pool:
        for future in [pool.submit(job) for job in jobs]:
            future.result()  # any deadlock or illegal move surfaces here
    store.orders.reconcile_payments(stale_after=timedelta(0))  # orphans voided or refunded

    statuses = Counter(o.status for b in buyers for o in store.orders.history(b))
    assert set(statuses) <= {"paid", "cancelled"} and sum(statuses.values()) == ORDERS
    by_reference = {r.reference: r for r in store.payment_gateway.authorizations}
    for buyer in buyers:
        (order,) = store.orders.history(buyer)
        record = by_reference[f"pi_{order.order_id}"]
        if order.status == "paid":
            assert record.status is PaymentStatus.CAPTURED
        else:
            assert record.status in (PaymentStatus.VOIDED, PaymentStatus.REFUNDED)
    with store.engine.connect() as connection:
        captured = connection.execute(
            text("SELECT COUNT(*) FROM payments WHERE status = 'captured'")
        ).scalar_one()
        held = connection.execute(
            text("SELECT COUNT(*) FROM stock_reservations WHERE status = 'held'")
        ).scalar_one()
    assert captured == statuses["paid"] and held == 0
    assert store.inventory.stock_level(product_id) == ORDERS - statuses["paid"]
