"""One step of the checkout saga inside one transaction: given what the provider says about an
order's payment, record it and say what to ask the provider next (capture, void, refund)."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from contracts import events
from transactional.common.ids import hex_id
from transactional.common.money import from_cents, money_text, to_cents
from transactional.common.uow import Transaction
from transactional.inventory.reservations import ReservationRepository
from transactional.orders.domain import Order, OrderLine, OrderNotFound, OrderStatus
from transactional.orders.payouts import record_sale
from transactional.orders.repository import OrderRepository
from transactional.orders.settlement import awaiting_payment, cancel_order, change_status
from transactional.payments.domain import DeclineCode, GatewayRecord, PaymentStatus
from transactional.payments.intents import Intent, IntentRepository, IntentState
from transactional.payments.repository import PaymentRepository


class NextCall(StrEnum):
    CAPTURE = "capture"
    VOID = "void"
    REFUND = "refund"


def settle_step(
    tx: Transaction,
    order_id: str,
    record: GatewayRecord | None,
    hint: DeclineCode | None,
    lines: list[OrderLine] | None = None,
) -> tuple[NextCall | None, Order]:
    """`record` is the provider's truth (None: it never got the request); `hint` is the decline
    code to show when the provider gave none (a timeout); `lines`, the order's lines where the
    caller holds them (the checkout that placed it). No next call means the saga is
    finished; the order comes back as this step left it (the caller's view needs no re-read)."""
    intent = IntentRepository(tx.connection).get(order_id, lock=True)
    order = OrderRepository(tx.connection).get(order_id, lock=True, lines=lines)
    if intent is None or order is None:
        raise OrderNotFound(order_id)
    return _next_call(tx, order, intent, record, hint), order


def _next_call(
    tx: Transaction,
    order: Order,
    intent: Intent,
    record: GatewayRecord | None,
    hint: DeclineCode | None,
) -> NextCall | None:
    order_id = order.order_id
    intents = IntentRepository(tx.connection)
    if intent.state not in IntentState.OPEN:
        return None  # another path (webhook, recovery, the checkout itself) finished it
    status = record.status if record else PaymentStatus.DECLINED
    if status in (PaymentStatus.DECLINED, PaymentStatus.VOIDED):
        code = (record.decline_code if record else None) or hint
        _close(tx, order, intent, record, status, code)
        return None
    assert record is not None
    # Nothing recorded of this payment yet: the checkout captures an approved authorization
    # before recording either, so both are recorded here at once.
    fresh = intent.state == IntentState.STARTED
    # Unpaid and its stock still held: the reservation's held->committed UPDATE is the check
    # (the order row is locked, so nothing releases the stock between the two).
    if (
        status is PaymentStatus.CAPTURED
        and order.status is OrderStatus.PENDING_PAYMENT
        and ReservationRepository(tx.connection).commit(order_id, tx.now)
    ):
        payment: dict | None
        if fresh:  # the payment row written once, captured, and the intent moved once
            payment = _record_payment(tx, order, record, PaymentStatus.CAPTURED)
        else:
            payment = PaymentRepository(tx.connection).capture_of_order(order_id)
        assert payment is not None, "an authorized intent always has its payment row"
        tx.record(
            events.PAYMENT_CAPTURED,
            order_id,
            _payload(payment, order_id, record.amount, record.currency, record.gateway_ref),
        )
        intents.advance(order_id, IntentState.CAPTURED, tx.now, record.gateway_ref)
        change_status(tx, order, OrderStatus.PAID, "payment_captured")
        record_sale(tx, order)
        return None
    if fresh:
        _record_payment(tx, order, record, PaymentStatus.AUTHORIZED)
        intents.advance(order_id, IntentState.AUTHORIZED, tx.now, record.gateway_ref)
    if status is PaymentStatus.AUTHORIZED:
        return NextCall.CAPTURE if awaiting_payment(tx, order) else NextCall.VOID
    if status is PaymentStatus.REFUNDED:
        payment = _payment_of(tx, order_id)
        refunded = to_cents(record.refunded) - payment["refunded_cents"]
        PaymentRepository(tx.connection).set_status(
            payment["payment_id"], PaymentStatus.REFUNDED, refunded
        )
        payload = _payload(
            payment, order_id, from_cents(refunded), record.currency, intent.reference
        )
        payload.update(gateway_ref=record.gateway_ref, refunded_total=money_text(record.refunded))
        payload["refund_id"] = f"rf_{order_id}_orphan"
        tx.record(events.PAYMENT_REFUNDED, order_id, payload)
        intents.advance(order_id, IntentState.REFUNDED, tx.now)
        return None
    return NextCall.REFUND  # captured, but the order was cancelled or its stock expired


def _record_payment(
    tx: Transaction, order: Order, record: GatewayRecord, status: PaymentStatus
) -> dict:
    """The payment's row, in `status`, and its PaymentAuthorized event; the payment's id and
    decline code, as the event payload reads them."""
    payment_id = hex_id("pay")
    PaymentRepository(tx.connection).add(
        payment_id,
        order.order_id,
        status,
        record.amount,
        record.currency,
        record.gateway_ref,
        None,
        tx.now,
    )
    payment = {"payment_id": payment_id, "decline_code": None}
    payload = _payload(payment, order.order_id, record.amount, record.currency, record.gateway_ref)
    tx.record(events.PAYMENT_AUTHORIZED, order.order_id, payload)
    return payment


def _close(
    tx: Transaction,
    order: Order,
    intent: Intent,
    record: GatewayRecord | None,
    status: PaymentStatus,
    code: DeclineCode | None,
) -> None:
    """Declined, voided or never reached: the payment row says so and the order is cancelled."""
    payments = PaymentRepository(tx.connection)
    existing = payments.of_order(order.order_id)
    gateway_ref = record.gateway_ref if record else ""
    payment = existing or {"payment_id": hex_id("pay")}
    payment["decline_code"] = code.value if code else None
    if existing is None:
        payments.add(
            payment["payment_id"],
            order.order_id,
            status,
            intent.amount,
            intent.currency,
            gateway_ref,
            payment["decline_code"],
            tx.now,
        )
    else:
        payments.set_status(payment["payment_id"], status)
    kind = events.PAYMENT_DECLINED if status is PaymentStatus.DECLINED else events.PAYMENT_VOIDED
    payload = _payload(payment, order.order_id, intent.amount, intent.currency, gateway_ref)
    tx.record(kind, order.order_id, payload)
    state = IntentState.DECLINED if status is PaymentStatus.DECLINED else IntentState.VOIDED
    IntentRepository(tx.connection).advance(order.order_id, state, tx.now)
    if order.status is OrderStatus.PENDING_PAYMENT:
        cancel_order(tx, order, f"payment_{status.value}")


def _payment_of(tx: Transaction, order_id: str) -> dict:
    payment = PaymentRepository(tx.connection).of_order(order_id)
    assert payment is not None, "an authorized intent always has its payment row"
    return payment


def _payload(payment: dict, order_id: str, amount: Decimal, currency: str, ref: str) -> dict:
    return {
        "payment_id": payment["payment_id"],
        "order_id": order_id,
        "amount": money_text(amount),
        "currency": currency,
        "gateway_ref": ref,
        "decline_code": payment.get("decline_code"),
    }
