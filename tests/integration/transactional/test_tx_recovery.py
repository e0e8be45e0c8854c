"""Exactly once under crashes: a checkout process is SIGKILLed after each step of the saga in turn;
after recovery every capture has exactly one order and every paid order exactly one capture, on
SQLite and on PostgreSQL."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import text

from storeloop.settings import REPO_ROOT
from transactional.orders.checkout import STEPS
from transactional.payments.domain import PaymentStatus
from transactional.payments.sandbox import APPROVE_CARD

pytestmark = pytest.mark.slow

# The doomed process: a store on the same database and provider ledger that kills itself, with no
# chance to clean up, right after the named step became durable.
CHILD = """
import os, signal, sys
from storeloop.settings import Settings
from transactional.bootstrap import bootstrap

db_url, data_dir, step, customer, card = sys.argv[1:]

def die(reached):
    if reached == step:
        os.kill(os.getpid(), signal.SIGKILL)

store = bootstrap(Settings(data_dir=data_dir, database_url=db_url), crash_hook=die)
store.orders.checkout(customer, card)
print("survived")
"""
# After a death at this step, the order ends: (status, units left of 3).
EXPECTED = {
    "placed": ("cancelled", 3),  # the provider never heard of it: cancelled, stock back
    "authorized": ("paid", 1),  # authorized and the stock still held: recovery captures it
    "recorded": ("paid", 1),
    "captured": ("paid", 1),  # captured but not recorded: recovery records it
}


def scalar(store, sql: str, **params):
    with store.engine.connect() as connection:
        return connection.execute(text(sql), params).scalar_one()


@pytest.mark.parametrize("step", STEPS)
def test_checkout_killed_at_each_step_recovers_exactly_once(
    step, store, database_url, tmp_path, seller, customer
):
    product_id = store.catalog.create_product(
        seller, "Lamp", "", "", "", Decimal("25.00"), initial_stock=3
    )
    store.cart.add_item(customer, product_id, 2)
    child = subprocess.run(
        [sys.executable, "-c", CHILD, database_url, str(tmp_path), step, customer, APPROVE_CARD],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert child.returncode == -9, child.stderr[-2000:]  # SIGKILL, not a clean exit
    now = datetime.now(UTC)
    for _ in range(2):  # recovery is idempotent: a second run changes nothing
        store.orders.expire_reservations(now)
        store.orders.reconcile_payments(now, stale_after=timedelta(0))
    (order,) = store.orders.history(customer)
    status, units_left = EXPECTED[step]
    assert order.status == status and store.inventory.stock_level(product_id) == units_left
    captures = store.payment_gateway.captures
    assert [c.reference for c in captures] == ([f"pi_{order.order_id}"] if status == "paid" else [])
    assert all(c.status is PaymentStatus.CAPTURED for c in captures)
    paid_events = scalar(
        store,
        "SELECT COUNT(*) FROM outbox WHERE type = 'payments.PaymentCaptured.v1'",
    )
    captured_rows = scalar(store, "SELECT COUNT(*) FROM payments WHERE status = 'captured'")
    assert paid_events == captured_rows == (1 if status == "paid" else 0)
    held = scalar(store, "SELECT COUNT(*) FROM stock_reservations WHERE status = 'held'")
    open_intents = scalar(
        store, "SELECT COUNT(*) FROM payment_intents WHERE state IN ('started', 'authorized')"
    )
    assert held == 0 and open_intents == 0
    to_paid = [
        json.loads(p)["to_status"]
        for p in _payloads(store, "orders.OrderStatusChanged.v1")
        if json.loads(p)["to_status"] == "paid"
    ]
    assert len(to_paid) == (1 if status == "paid" else 0)


def _payloads(store, event_type: str) -> list[str]:
    with store.engine.connect() as connection:
        rows = connection.execute(
            text("SELECT payload FROM outbox WHERE type = :t"), {"t": event_type}
        )
        return [r[0] for r in rows]
