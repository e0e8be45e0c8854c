"""Order handlers: check out the cart and pay, read orders, move them along their lifecycle."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from transactional.common.uow import UnitOfWork
from transactional.orders.domain import Order, OrderNotFound, OrderStatus
from transactional.orders.placement import place_order
from transactional.orders.repository import OrderRepository
from transactional.orders.settlement import cancel_order, change_status, record_payment
from transactional.orders.views import OrderView, order_view
from transactional.payments.gateway import PaymentGateway
from transactional.payments.repository import PaymentRepository


class OrderService:
    def __init__(self, uow: UnitOfWork, gateway: PaymentGateway) -> None:
        self.uow = uow
        self.gateway = gateway

    def checkout(
        self, customer_id: str, card_number: str, idempotency_key: str | None = None
    ) -> OrderView:
        """Places the order (stock taken, cart emptied), then pays: `paid`, or `cancelled` on a
        decline. The same idempotency key returns the first order and writes nothing new."""
        if idempotency_key and (done := self._by_key(customer_id, idempotency_key)):
            return done
        try:
            with self.uow.begin() as tx:
                order = place_order(tx, customer_id, idempotency_key)
        except IntegrityError:
            # A concurrent retry with the same key won the race (PostgreSQL); return its order.
            if idempotency_key and (done := self._by_key(customer_id, idempotency_key)):
                return done
            raise
        # The gateway is called outside any transaction: no lock is held while it answers.
        try:
            authorization = self.gateway.authorize(
                order.order_id, order.total, order.currency, card_number
            )
            if authorization.approved:
                self.gateway.capture(authorization)
        except Exception:
            with self.uow.begin() as tx:
                cancel_order(tx, order, "payment_error")
            raise
        with self.uow.begin() as tx:
            record_payment(tx, order, authorization)
        decline = authorization.decline_code.value if authorization.decline_code else None
        return order_view(order, decline)

    def get(self, order_id: str, customer_id: str | None = None) -> OrderView:
        """With `customer_id`, another customer's order is reported as not found."""
        with self.uow.read() as connection:
            order = OrderRepository(connection).get(order_id)
            if order is None or customer_id not in (None, order.customer_id):
                raise OrderNotFound(order_id)
            return self._with_declines(connection, [order])[0]

    def history(self, customer_id: str) -> list[OrderView]:
        """Newest first."""
        with self.uow.read() as connection:
            return self._with_declines(
                connection, OrderRepository(connection).of_customer(customer_id)
            )

    def mark_shipped(self, order_id: str) -> OrderView:
        return self._move(order_id, OrderStatus.SHIPPED, "shipped")

    def mark_delivered(self, order_id: str) -> OrderView:
        return self._move(order_id, OrderStatus.DELIVERED, "delivered")

    def _move(self, order_id: str, wanted: OrderStatus, reason: str) -> OrderView:
        with self.uow.begin() as tx:
            order = OrderRepository(tx.connection).get(order_id)
            if order is None:
                raise OrderNotFound(order_id)
            change_status(tx, order, wanted, reason)
        return order_view(order)

    def _by_key(self, customer_id: str, key: str) -> OrderView | None:
        with self.uow.read() as connection:
            order = OrderRepository(connection).by_idempotency_key(customer_id, key)
            return self._with_declines(connection, [order])[0] if order else None

    @staticmethod
    def _with_declines(connection, found: list[Order]) -> list[OrderView]:  # type: ignore[no-untyped-def]
        declines = PaymentRepository(connection).decline_codes([o.order_id for o in found])
        return [order_view(o, declines.get(o.order_id)) for o in found]
