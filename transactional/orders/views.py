"""Orders as callers see them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from transactional.orders.domain import Order


@dataclass(frozen=True)
class OrderLineView:
    product_id: str
    quantity: int
    unit_price: Decimal
    line_total: Decimal


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


def order_view(order: Order, decline_code: str | None = None) -> OrderView:
    return OrderView(
        order.order_id,
        order.customer_id,
        order.status.value,
        order.currency,
        order.total,
        [
            OrderLineView(li.product_id, li.quantity, li.unit_price, li.line_total)
            for li in order.lines
        ],
        order.placed_at,
        order.updated_at,
        decline_code,
    )
