"""Jobs that finish what a crash, a lost answer or a slow shopper left open: expire stale stock
reservations, reconcile open payment intents from the provider's ledger, apply its webhooks."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from transactional.inventory.domain import StockReason
from transactional.inventory.reservations import ReservationRepository
from transactional.orders.checkout import CheckoutSaga
from transactional.orders.domain import OrderStatus
from transactional.orders.repository import OrderRepository
from transactional.orders.settlement import cancel_order, release_stock
from transactional.payments.domain import DeclineCode
from transactional.payments.intents import IntentRepository
from transactional.payments.receipts import ReceiptRepository

# A live checkout finishes in well under this; only older open intents are someone else's.
STALE_AFTER = timedelta(minutes=2)
PROVIDER = "payments"


def expire_reservations(saga: CheckoutSaga, now: datetime) -> list[str]:
    """Releases stock held past its expiry and cancels those unpaid orders; idempotent. A payment
    authorized for one of them is voided by the next `reconcile_payments`."""
    with saga.uow.read() as connection:
        expired = ReservationRepository(connection).expired(now)
    for order_id in expired:
        with saga.uow.begin() as tx:  # one order per transaction: locks stay short
            order = OrderRepository(tx.connection).get(order_id, lock=True)
            if order is not None and order.status is OrderStatus.PENDING_PAYMENT:
                cancel_order(tx, order, "reservation_expired", StockReason.EXPIRE)
            else:
                release_stock(tx, order_id, StockReason.EXPIRE)
    return expired


def reconcile_payments(
    saga: CheckoutSaga, now: datetime, stale_after: timedelta = STALE_AFTER
) -> list[str]:
    """Every payment intent still open `stale_after` after it began is settled from the provider's
    record: captured when its order still waits, voided or refunded when not, cancelled with its
    stock released when the provider never saw it. Returns the order ids it looked at."""
    with saga.uow.read() as connection:
        intents = IntentRepository(connection)
        references = {i: intents.get(i) for i in intents.open_before(now - stale_after)}
    for order_id, intent in references.items():
        assert intent is not None
        saga.settle(order_id, saga.gateway.lookup(intent.reference), DeclineCode.GATEWAY_TIMEOUT)
    return list(references)


def apply_payment_webhook(saga: CheckoutSaga, event: dict[str, Any], now: datetime) -> str:
    """A verified provider event: "duplicate", "unknown" (not our reference) or "applied". The
    event only says *that* something changed; the provider's current record says what, so a late
    or reordered event can never move an order backwards."""
    event_id, event_type = str(event["id"]), str(event["type"])
    reference = str((event.get("data") or {}).get("reference", ""))
    with saga.uow.read() as connection:
        if ReceiptRepository(connection).seen(PROVIDER, event_id):
            return "duplicate"
        order_id = IntentRepository(connection).by_reference(reference)
    if order_id is not None:
        saga.settle(order_id, saga.gateway.lookup(reference), DeclineCode.GATEWAY_TIMEOUT)
    with saga.uow.begin() as tx:
        # Written after the effect: a crash in between means the provider redelivers and the
        # (idempotent) settle runs again, never that an event is marked done but was not.
        ReceiptRepository(tx.connection).add(PROVIDER, event_id, event_type, now)
    return "applied" if order_id else "unknown"
