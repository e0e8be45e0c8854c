"""Recording what the payment gateway answered: paid, or cancelled with the stock given back."""

from __future__ import annotations

from transactional.common import events
from transactional.common.ids import hex_id
from transactional.common.money import money_text
from transactional.common.uow import Transaction
from transactional.inventory.domain import StockReason
from transactional.inventory.repository import StockRepository
from transactional.orders.domain import Order, OrderStatus
from transactional.orders.repository import OrderRepository
from transactional.payments.domain import Authorization, PaymentStatus
from transactional.payments.repository import PaymentRepository


def change_status(tx: Transaction, order: Order, wanted: OrderStatus, reason: str) -> None:
    previous = order.move_to(wanted, tx.now)
    OrderRepository(tx.connection).save_status(order)
    tx.record(
        events.ORDER_STATUS_CHANGED,
        order.order_id,
        {
            "order_id": order.order_id,
            "customer_id": order.customer_id,
            "from_status": previous.value,
            "to_status": wanted.value,
            "reason": reason,
        },
    )


def cancel_order(tx: Transaction, order: Order, reason: str) -> None:
    change_status(tx, order, OrderStatus.CANCELLED, reason)
    stock = StockRepository(tx.connection)
    for line in sorted(order.lines, key=lambda li: li.product_id):
        change = stock.add(line.product_id, line.quantity, StockReason.CANCEL)
        if change is not None:
            tx.record(events.STOCK_CHANGED, line.product_id, change.payload())


def record_payment(tx: Transaction, order: Order, authorization: Authorization) -> None:
    """Approved and captured: the order is paid. Declined: it is cancelled."""
    payment_id = hex_id("pay")
    payload = {
        "payment_id": payment_id,
        "order_id": order.order_id,
        "amount": money_text(authorization.amount),
        "currency": authorization.currency,
        "gateway_ref": authorization.gateway_ref,
        "decline_code": authorization.decline_code.value if authorization.decline_code else None,
    }
    status = PaymentStatus.CAPTURED if authorization.approved else PaymentStatus.DECLINED
    PaymentRepository(tx.connection).add(
        payment_id,
        order.order_id,
        status,
        authorization.amount,
        authorization.currency,
        authorization.gateway_ref,
        payload["decline_code"],
        tx.now,
    )
    if authorization.approved:
        tx.record(events.PAYMENT_AUTHORIZED, order.order_id, payload)
        tx.record(events.PAYMENT_CAPTURED, order.order_id, payload)
        change_status(tx, order, OrderStatus.PAID, "payment_captured")
    else:
        tx.record(events.PAYMENT_DECLINED, order.order_id, payload)
        cancel_order(tx, order, "payment_declined")
