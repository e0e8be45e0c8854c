"""Orders and their lifecycle state machine; illegal transitions are refused here, not in SQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from transactional.common.errors import Conflict, Invalid, NotFound


class OrderStatus(StrEnum):
    PENDING_PAYMENT = "pending_payment"
    PAID = "paid"
    FULFILLED = "fulfilled"  # a shipment exists; the carrier has not picked it up yet
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"
    RETURNED = "returned"  # the goods came back; the refund follows
    REFUNDED = "refunded"


ALLOWED = {
    OrderStatus.PENDING_PAYMENT: {OrderStatus.PAID, OrderStatus.CANCELLED},
    OrderStatus.PAID: {OrderStatus.FULFILLED, OrderStatus.REFUNDED},
    OrderStatus.FULFILLED: {OrderStatus.SHIPPED},
    OrderStatus.SHIPPED: {OrderStatus.DELIVERED},
    OrderStatus.DELIVERED: {OrderStatus.RETURNED},
    OrderStatus.RETURNED: {OrderStatus.REFUNDED},
    OrderStatus.CANCELLED: set(),
    OrderStatus.REFUNDED: set(),
}
# Orders whose customer bought what they hold (paid for, whether or not it arrived yet or went
# back): what lets them review it. Unpaid, cancelled and refunded-before-shipping ones do not.
BOUGHT = frozenset(
    {
        OrderStatus.PAID,
        OrderStatus.FULFILLED,
        OrderStatus.SHIPPED,
        OrderStatus.DELIVERED,
        OrderStatus.RETURNED,
    }
)
# Orders still under way: unpaid, or paid and not yet delivered. Their products stay listed, so
# the order's pages, shipment and any return still name a product the store has.
OPEN = frozenset(
    {OrderStatus.PENDING_PAYMENT, OrderStatus.PAID, OrderStatus.FULFILLED, OrderStatus.SHIPPED}
)
# How far along each status is: a late webhook never moves an order back down this list.
PROGRESS = {status: rank for rank, status in enumerate(OrderStatus)}


class OrderErrorCode(StrEnum):
    ORDER_NOT_FOUND = "order_not_found"
    ILLEGAL_TRANSITION = "illegal_transition"
    PRODUCT_UNAVAILABLE = "product_unavailable"
    MIXED_CURRENCY = "mixed_currency"
    IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused"


class OrderNotFound(NotFound):
    def __init__(self, order_id: str) -> None:
        super().__init__(OrderErrorCode.ORDER_NOT_FOUND, f"no order {order_id!r}", "order_id")


class IllegalTransition(Conflict):
    def __init__(self, order_id: str, current: OrderStatus, wanted: OrderStatus) -> None:
        super().__init__(
            OrderErrorCode.ILLEGAL_TRANSITION,
            f"order {order_id} is {current.value}; it cannot become {wanted.value}",
            "status",
        )


class ProductUnavailable(Conflict):
    def __init__(self, product_id: str) -> None:
        super().__init__(
            OrderErrorCode.PRODUCT_UNAVAILABLE, f"{product_id!r} is no longer sold", "product_id"
        )


class MixedCurrency(Invalid):
    def __init__(self, currencies: set[str]) -> None:
        super().__init__(
            OrderErrorCode.MIXED_CURRENCY, f"one order, one currency: {sorted(currencies)}", "cart"
        )


class IdempotencyKeyReused(Invalid):
    def __init__(self, key: str) -> None:
        super().__init__(
            OrderErrorCode.IDEMPOTENCY_KEY_REUSED,
            f"Idempotency-Key {key!r} was used for another request body",
            "Idempotency-Key",
        )


@dataclass(frozen=True)
class OrderLine:
    product_id: str
    quantity: int
    unit_price: Decimal
    # The cart line's search result or recommendation list: what the sale is credited to.
    search_id: str | None = None
    recommendation_id: str | None = None
    # Whose offer it was bought from: that seller ships it and is owed for it.
    offer_id: str | None = None
    seller_id: str | None = None

    @property
    def line_total(self) -> Decimal:
        return self.unit_price * self.quantity


@dataclass
class Order:
    order_id: str
    customer_id: str
    status: OrderStatus
    currency: str
    lines: list[OrderLine]
    placed_at: datetime
    updated_at: datetime

    @property
    def total(self) -> Decimal:
        return sum((line.line_total for line in self.lines), Decimal("0.00"))

    def subtotals(self) -> dict[str, Decimal]:
        """Per seller, the sum of their lines: what the store owes them before any refund."""
        owed: dict[str, Decimal] = {}
        for line in self.lines:
            seller = line.seller_id or ""
            owed[seller] = owed.get(seller, Decimal("0.00")) + line.line_total
        return dict(sorted(owed.items()))

    def move_to(self, wanted: OrderStatus, now: datetime) -> OrderStatus:
        """Applies one transition and returns the status it left."""
        if wanted not in ALLOWED[self.status]:
            raise IllegalTransition(self.order_id, self.status, wanted)
        previous, self.status, self.updated_at = self.status, wanted, now
        return previous


def order_currency(currencies: set[str]) -> str:
    if len(currencies) != 1:
        raise MixedCurrency(currencies)
    return next(iter(currencies))
