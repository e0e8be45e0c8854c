"""Inventory rules: quantities are whole and positive, stock never goes below zero."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from numbers import Integral

from transactional.common.errors import Conflict, Invalid

# Units one restock (or a new listing) may add: more is a typing slip, and stock must stay far
# inside a 64-bit column.
MAX_RESTOCK = 1_000_000


class InventoryErrorCode(StrEnum):
    OUT_OF_STOCK = "out_of_stock"
    INVALID_QUANTITY = "invalid_quantity"


class StockReason(StrEnum):
    RESTOCK = "restock"
    ORDER = "order"
    CANCEL = "cancel"
    ADJUST = "adjust"
    EXPIRE = "expire"  # a reservation's time ran out before the payment was captured
    RETURN = "return"  # a returned order's units are back on the shelf


class ReservationStatus(StrEnum):
    HELD = "held"  # taken from the sellable level, waiting for the payment
    COMMITTED = "committed"  # paid: the units are sold
    RELEASED = "released"  # given back (decline, cancellation, expiry)


class OutOfStock(Conflict):
    def __init__(self, product_id: str, requested: int, available: int) -> None:
        super().__init__(
            InventoryErrorCode.OUT_OF_STOCK,
            f"{product_id}: {requested} requested, {available} in stock",
            "quantity",
        )
        self.product_id = product_id
        self.requested = requested
        self.available = available


class InvalidQuantity(Invalid):
    def __init__(self, quantity: object, field: str = "quantity") -> None:
        super().__init__(
            InventoryErrorCode.INVALID_QUANTITY,
            f"quantity must be a positive integer: {quantity!r}",
            field,
        )


def ensure_positive_quantity(quantity: object, field: str = "quantity") -> int:
    # bool is an int subclass, yet True is not a quantity; numpy integers are.
    if isinstance(quantity, bool) or not isinstance(quantity, Integral) or quantity <= 0:
        raise InvalidQuantity(quantity, field)
    return int(quantity)


@dataclass(frozen=True)
class StockChange:
    product_id: str
    quantity: int  # the new on-hand level
    delta: int
    reason: StockReason
    # The offer whose units moved, and its own new level (the product's is `quantity`).
    offer_id: str | None = None
    offer_stock: int | None = None

    def payload(self) -> dict[str, object]:
        payload: dict[str, object] = {
            "product_id": self.product_id,
            "quantity": self.quantity,
            "delta": self.delta,
            "reason": self.reason.value,
        }
        if self.offer_id is not None:
            payload.update(offer_id=self.offer_id, offer_stock=self.offer_stock)
        return payload
