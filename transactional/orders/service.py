"""Order handlers: check out and pay (the saga), read orders as each role may, cancel, refund,
and the recovery jobs (expire reservations, reconcile payments, apply provider webhooks)."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection

from transactional.common.ids import hex_id
from transactional.common.uow import UnitOfWork
from transactional.orders import recovery
from transactional.orders.checkout import CheckoutSaga, CrashHook
from transactional.orders.domain import Order, OrderNotFound, OrderStatus
from transactional.orders.payouts import Payout, payouts_of_seller
from transactional.orders.placement import RESERVATION_TTL
from transactional.orders.refunds import refund_payment
from transactional.orders.repository import OrderRepository
from transactional.orders.settlement import cancel_order, change_status
from transactional.orders.views import (
    OrderView,
    order_view,
    seller_part,
    with_declines,
)
from transactional.payments.gateway import PaymentGateway
from transactional.users.domain import Role, User

HISTORY_LIMIT = 200


class OrderService:
    def __init__(
        self,
        uow: UnitOfWork,
        gateway: PaymentGateway,
        hold_for: timedelta = RESERVATION_TTL,
        crash_hook: CrashHook | None = None,
    ) -> None:
        self.uow = uow
        self.gateway = gateway
        self.saga = CheckoutSaga(uow, gateway, hold_for, crash_hook)

    def checkout(
        self, customer_id: str, card_number: str, idempotency_key: str | None = None
    ) -> OrderView:
        """Places the order (stock reserved, cart emptied), then pays: `paid`, or `cancelled` on a
        decline or timeout. The same key and card return the first order and write nothing; the
        same key with another card raises IdempotencyKeyReused."""
        return self.saga.run(customer_id, card_number, idempotency_key)

    def get(self, order_id: str, customer_id: str | None = None) -> OrderView:
        """With `customer_id`, another customer's order is reported as not found."""
        with self.uow.read() as connection:
            order = OrderRepository(connection).get(order_id)
            if order is None or customer_id not in (None, order.customer_id):
                raise OrderNotFound(order_id)
            return self._with_declines(connection, [order])[0]

    def get_for(self, order_id: str, user: User) -> OrderView:
        """Customers see their own orders, sellers their part of those they sold in, admins all."""
        with self.uow.read() as connection:
            orders = OrderRepository(connection)
            order = orders.get(order_id)
            if order is None or not _may_see(user, order, orders):
                raise OrderNotFound(order_id)
            return _as_seen_by(user, self._with_declines(connection, [order]))[0]

    def history(self, customer_id: str) -> list[OrderView]:
        """Newest first."""
        with self.uow.read() as connection:
            found = OrderRepository(connection).of_customer(customer_id, HISTORY_LIMIT)
            return self._with_declines(connection, found)

    def history_for(self, user: User, limit: int = HISTORY_LIMIT) -> list[OrderView]:
        with self.uow.read() as connection:
            orders = OrderRepository(connection)
            if user.role is Role.ADMIN:
                found = orders.newest(limit)
            elif user.role is Role.SELLER:
                found = orders.of_seller(user.user_id, limit)
            else:
                found = orders.of_customer(user.user_id, limit)
            return _as_seen_by(user, self._with_declines(connection, found))

    def payouts(self, seller_id: str, limit: int = HISTORY_LIMIT) -> list[Payout]:
        """What the store owes the seller per order, net of refunds, newest first."""
        with self.uow.read() as connection:
            return payouts_of_seller(connection, seller_id, limit)

    def cancel(self, order_id: str, user: User) -> OrderView:
        """An unpaid order, by its customer or an admin; the reserved stock goes back."""
        with self.uow.begin() as tx:
            order = OrderRepository(tx.connection).get(order_id, lock=True)
            if order is None or (user.role is not Role.ADMIN and user.user_id != order.customer_id):
                raise OrderNotFound(order_id)
            cancel_order(tx, order, "cancelled_by_customer")
        return self.get(order_id)

    def refund(
        self, order_id: str, amount: Decimal | None = None, refund_id: str | None = None
    ) -> OrderView:
        """Full (amount None) or partial; a retry with the same `refund_id` refunds nothing more
        (without one, every call is a new refund)."""
        refund_id = refund_id or hex_id("rf")
        refund_payment(self.uow, self.gateway, order_id, amount, refund_id, "refund")
        return self.get(order_id)

    def mark_fulfilled(self, order_id: str) -> OrderView:
        return self._move(order_id, OrderStatus.FULFILLED, "fulfilled")

    def mark_shipped(self, order_id: str) -> OrderView:
        return self._move(order_id, OrderStatus.SHIPPED, "shipped")

    def mark_delivered(self, order_id: str) -> OrderView:
        return self._move(order_id, OrderStatus.DELIVERED, "delivered")

    def expire_reservations(self, now: datetime | None = None) -> list[str]:
        return recovery.expire_reservations(self.saga, now or self.uow.clock.now())

    def reconcile_payments(
        self, now: datetime | None = None, stale_after: timedelta = recovery.STALE_AFTER
    ) -> list[str]:
        return recovery.reconcile_payments(self.saga, now or self.uow.clock.now(), stale_after)

    def apply_payment_webhook(self, event: dict[str, Any]) -> str:
        return recovery.apply_payment_webhook(self.saga, event, self.uow.clock.now())

    def _move(self, order_id: str, wanted: OrderStatus, reason: str) -> OrderView:
        with self.uow.begin() as tx:
            order = OrderRepository(tx.connection).get(order_id, lock=True)
            if order is None:
                raise OrderNotFound(order_id)
            change_status(tx, order, wanted, reason)
        return order_view(order)

    @staticmethod
    def _with_declines(connection: Connection, found: list[Order]) -> list[OrderView]:
        return with_declines(connection, found)


def _as_seen_by(user: User, views: list[OrderView]) -> list[OrderView]:
    if user.role is Role.SELLER:
        return [seller_part(view, user.user_id) for view in views]
    return views


def _may_see(user: User, order: Order, orders: OrderRepository) -> bool:
    if user.role is Role.ADMIN:
        return True
    if user.role is Role.SELLER:
        return user.user_id in orders.seller_ids(order.order_id)
    return user.user_id == order.customer_id
