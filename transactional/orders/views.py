"""Orders as callers see them, and the reads that build them (with any decline code)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Connection

from transactional.orders.domain import IdempotencyKeyReused, Order, OrderNotFound
from transactional.orders.repository import OrderRepository
from transactional.payments.repository import PaymentRepository


@dataclass(frozen=True)
class OrderLineView:
    product_id: str
    quantity: int
    unit_price: Decimal
    line_total: Decimal
    offer_id: str | None = None
    seller_id: str | None = None


@dataclass(frozen=True)
class OrderPart:
    """One seller's share of an order: the lines that seller ships and is paid for."""

    seller_id: str
    subtotal: Decimal
    product_ids: list[str]


@dataclass(frozen=True)
class OrderView:
    order_id: str
    customer_id: str
    status: str
    currency: str
    total: Decimal
    items: list[OrderLineView]
    placed_at: datetime
    updated_at: datetime
    decline_code: str | None = None
    parts: list[OrderPart] | None = None


def order_view(order: Order, decline_code: str | None = None) -> OrderView:
    return OrderView(
        order.order_id,
        order.customer_id,
        order.status.value,
        order.currency,
        order.total,
        [
            OrderLineView(
                li.product_id, li.quantity, li.unit_price, li.line_total, li.offer_id, li.seller_id
            )
            for li in order.lines
        ],
        order.placed_at,
        order.updated_at,
        decline_code,
        [
            OrderPart(
                seller, subtotal, [li.product_id for li in order.lines if li.seller_id == seller]
            )
            for seller, subtotal in order.subtotals().items()
        ],
    )


def seller_part(view: OrderView, seller_id: str) -> OrderView:
    """The order as one of its sellers sees it: only their lines and their part, and their
    subtotal as the total (what other sellers sold is not theirs to see)."""
    items = [item for item in view.items if item.seller_id == seller_id]
    parts = [part for part in view.parts or [] if part.seller_id == seller_id]
    total = sum((item.line_total for item in items), Decimal("0.00"))
    return replace(view, items=items, parts=parts, total=total)


def with_declines(connection: Connection, found: list[Order]) -> list[OrderView]:
    declines = PaymentRepository(connection).decline_codes([o.order_id for o in found])
    return [order_view(o, declines.get(o.order_id)) for o in found]


def order_views(connection: Connection, order_ids: list[str]) -> list[OrderView]:
    """Raises OrderNotFound for a missing one."""
    orders = OrderRepository(connection)
    found = []
    for order_id in order_ids:
        order = orders.get(order_id)
        if order is None:
            raise OrderNotFound(order_id)
        found.append(order)
    return with_declines(connection, found)


def order_by_key(
    connection: Connection, customer_id: str, key: str, fingerprint: str
) -> OrderView | None:
    """The order a checkout with this idempotency key placed; IdempotencyKeyReused when that
    checkout carried another request body."""
    orders = OrderRepository(connection)
    order = orders.by_idempotency_key(customer_id, key)
    if order is None:
        return None
    if orders.fingerprint(order.order_id) not in (None, fingerprint):
        raise IdempotencyKeyReused(key)
    return with_declines(connection, [order])[0]
