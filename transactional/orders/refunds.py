"""Refunds, full or partial, through the payment gateway; a full refund moves the order to
`refunded` where its lifecycle allows. The refund id makes a retried refund a no-op."""

from __future__ import annotations

from decimal import Decimal

from contracts import events
from transactional.common.money import from_cents, money_text, to_cents
from transactional.common.uow import UnitOfWork
from transactional.orders.domain import ALLOWED, OrderNotFound, OrderStatus
from transactional.orders.payouts import record_refund
from transactional.orders.repository import OrderRepository
from transactional.orders.settlement import change_status
from transactional.payments.domain import InvalidAmount, NotCaptured, PaymentStatus, RefundTooLarge
from transactional.payments.gateway import PaymentGateway
from transactional.payments.intents import IntentRepository, IntentState
from transactional.payments.repository import PaymentRepository


def refund_payment(
    uow: UnitOfWork,
    gateway: PaymentGateway,
    order_id: str,
    amount: Decimal | None,
    refund_id: str,
    reason: str,
) -> Decimal:
    """Refunds `amount` (None: all that is left) and returns the total refunded so far."""
    with uow.read() as connection:
        intent = IntentRepository(connection).get(order_id)
        payment = PaymentRepository(connection).of_order(order_id)
    if intent is None or payment is None:
        raise OrderNotFound(order_id)
    if intent.state != IntentState.CAPTURED or not intent.gateway_ref:
        raise NotCaptured(order_id)
    left = from_cents(payment["amount_cents"] - payment["refunded_cents"])
    wanted = left if amount is None else amount
    if amount is not None and amount <= 0:
        raise InvalidAmount(amount)
    if wanted > left or left <= 0:
        raise RefundTooLarge(wanted, left)
    refund = gateway.refund(intent.gateway_ref, wanted, refund_id)
    with uow.begin() as tx:
        payments = PaymentRepository(tx.connection)
        payment = payments.of_order(order_id)
        assert payment is not None
        # The provider's running total, not an increment: a retried refund id adds nothing.
        added = to_cents(refund.refunded_total) - payment["refunded_cents"]
        if added <= 0:
            return refund.refunded_total
        fully = to_cents(refund.refunded_total) >= payment["amount_cents"]
        status = PaymentStatus.REFUNDED if fully else PaymentStatus(payment["status"])
        payments.set_status(payment["payment_id"], status, added)
        tx.record(
            events.PAYMENT_REFUNDED,
            order_id,
            {
                "payment_id": payment["payment_id"],
                "order_id": order_id,
                "amount": money_text(from_cents(added)),
                "currency": payment["currency"],
                "gateway_ref": intent.gateway_ref,
                "decline_code": None,
                "refund_id": refund_id,
                "refunded_total": money_text(refund.refunded_total),
            },
        )
        record_refund(tx, order_id, refund.refunded_total)
        order = OrderRepository(tx.connection).get(order_id, lock=True)
        if fully and order is not None and OrderStatus.REFUNDED in ALLOWED[order.status]:
            change_status(tx, order, OrderStatus.REFUNDED, reason)
    return refund.refunded_total
