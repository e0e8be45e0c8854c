"""Moving an order along its lifecycle inside a transaction: every change is a compare-and-set
on the status plus an outbox event; cancelling gives its reserved stock back."""

from __future__ import annotations

from contracts import events
from transactional.catalog.shown_price import record_moves, shown_prices
from transactional.common.uow import Transaction
from transactional.inventory.domain import StockReason
from transactional.inventory.reservations import ReservationRepository
from transactional.orders.domain import IllegalTransition, Order, OrderStatus
from transactional.orders.repository import OrderRepository


def change_status(tx: Transaction, order: Order, wanted: OrderStatus, reason: str) -> None:
    previous = order.move_to(wanted, tx.now)
    if not OrderRepository(tx.connection).save_status(order, previous):
        # Another writer moved it between our read and this write: refuse, like any late move.
        current = OrderRepository(tx.connection).get(order.order_id)
        raise IllegalTransition(order.order_id, current.status if current else previous, wanted)
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


def cancel_order(
    tx: Transaction, order: Order, reason: str, stock_reason: StockReason = StockReason.CANCEL
) -> None:
    change_status(tx, order, OrderStatus.CANCELLED, reason)
    release_stock(tx, order.order_id, stock_reason)


def release_stock(tx: Transaction, order_id: str, stock_reason: StockReason) -> None:
    reservations = ReservationRepository(tx.connection)
    # Units coming back can return an offer to the buy box.
    before = shown_prices(tx, reservations.held_products(order_id))
    for change in reservations.release(order_id, stock_reason, tx.now):
        tx.record(events.STOCK_CHANGED, change.product_id, change.payload())
    record_moves(tx, before)


def awaiting_payment(tx: Transaction, order: Order) -> bool:
    """Still worth capturing: unpaid, and its stock still held for it."""
    return order.status is OrderStatus.PENDING_PAYMENT and ReservationRepository(
        tx.connection
    ).is_held(order.order_id)
