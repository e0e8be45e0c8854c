"""Carts and their lines."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from transactional.common.errors import Conflict, Invalid

MAX_LINE_QUANTITY = 1_000


class CartErrorCode(StrEnum):
    EMPTY_CART = "empty_cart"
    QUANTITY_TOO_LARGE = "quantity_too_large"


class EmptyCart(Conflict):
    def __init__(self, customer_id: str) -> None:
        super().__init__(CartErrorCode.EMPTY_CART, f"the cart of {customer_id!r} is empty", "cart")


class QuantityTooLarge(Invalid):
    def __init__(self, quantity: int) -> None:
        super().__init__(
            CartErrorCode.QUANTITY_TOO_LARGE,
            f"at most {MAX_LINE_QUANTITY} of one product per cart, got {quantity}",
            "quantity",
        )


@dataclass(frozen=True)
class CartLine:
    product_id: str
    quantity: int
    unit_price: Decimal
    search_id: str | None = None


@dataclass
class Cart:
    cart_id: str
    customer_id: str
    lines: dict[str, CartLine] = field(default_factory=dict)

    def add(
        self, product_id: str, quantity: int, unit_price: Decimal, search_id: str | None
    ) -> CartLine:
        """Adding a product already in the cart raises its quantity; the price is today's."""
        previous = self.lines.get(product_id)
        total = quantity + (previous.quantity if previous else 0)
        if total > MAX_LINE_QUANTITY:
            raise QuantityTooLarge(total)
        # The search that led to the product first is kept when a later add names none.
        kept_search = search_id or (previous.search_id if previous else None)
        line = CartLine(product_id, total, unit_price, kept_search)
        self.lines[product_id] = line
        return line
