"""Carts and their lines, guest carts, merging at login, and what changed since items were added."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from transactional.common.errors import Conflict, Invalid, NotFound

MAX_LINE_QUANTITY = 1_000
# A guest cart's id is its only credential: 120 random bits, 32 characters (fits an owner column).
GUEST_CART_ID = re.compile(r"^g-[0-9a-f]{30}$")
# A guest cart's cookie lives this long; in Redis, a guest cart untouched this long expires.
GUEST_CART_TTL_S = 30 * 24 * 3600


class CartErrorCode(StrEnum):
    EMPTY_CART = "empty_cart"
    QUANTITY_TOO_LARGE = "quantity_too_large"
    CART_NOT_FOUND = "cart_not_found"
    INVALID_CART_ID = "invalid_cart_id"
    NOT_IN_CART = "not_in_cart"


class CartChangeCode(StrEnum):
    """What the shopper is told before paying; clients match these, never the wording."""

    PRICE_CHANGED = "price_changed"
    INSUFFICIENT_STOCK = "insufficient_stock"  # fewer units left than the line asks for
    OUT_OF_STOCK = "out_of_stock"
    PRODUCT_UNAVAILABLE = "product_unavailable"  # delisted since it was added
    QUANTITY_CAPPED = "quantity_capped"  # a merge added more than the stock allows
    OFFER_UNAVAILABLE = "offer_unavailable"  # the seller withdrew the offer the line picked


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


class CartNotFound(NotFound):
    def __init__(self, cart_id: str) -> None:
        super().__init__(CartErrorCode.CART_NOT_FOUND, f"no guest cart {cart_id!r}", "X-Cart-Id")


class InvalidCartId(Invalid):
    def __init__(self) -> None:
        super().__init__(
            CartErrorCode.INVALID_CART_ID, "X-Cart-Id is not a guest cart id", "X-Cart-Id"
        )


class NotInCart(NotFound):
    def __init__(self, product_id: str) -> None:
        super().__init__(
            CartErrorCode.NOT_IN_CART, f"{product_id!r} is not in the cart", "product_id"
        )


def new_guest_cart_id() -> str:
    return "g-" + secrets.token_hex(15)


def customer_cart_id(customer_id: str) -> str:
    # Derived, not drawn: two first adds racing in two gateways (Redis carts) find one cart.
    return f"cart-{customer_id}"


def ensure_guest_cart_id(cart_id: str) -> str:
    if not GUEST_CART_ID.match(cart_id):
        raise InvalidCartId()
    return cart_id


@dataclass(frozen=True)
class CartLine:
    product_id: str
    quantity: int
    unit_price: Decimal  # the price when it was (last) added: a later change is reported
    # Where the shopper found the product: a search result, a recommendation list, or neither.
    search_id: str | None = None
    recommendation_id: str | None = None
    # The offer the shopper picked; None: whichever offer holds the buy box at checkout.
    offer_id: str | None = None


@dataclass(frozen=True)
class CartChange:
    code: CartChangeCode
    product_id: str
    requested: int | None = None
    available: int | None = None
    old_unit_price: Decimal | None = None
    new_unit_price: Decimal | None = None


@dataclass
class Cart:
    cart_id: str
    customer_id: str | None  # None: a guest cart, known only by its id
    lines: dict[str, CartLine] = field(default_factory=dict)

    @property
    def is_guest(self) -> bool:
        return self.customer_id is None

    def add(
        self,
        product_id: str,
        quantity: int,
        unit_price: Decimal,
        search_id: str | None,
        recommendation_id: str | None = None,
        offer_id: str | None = None,
    ) -> CartLine:
        """Adding a product already in the cart raises its quantity; the price is today's. One
        line per product: an add naming an offer moves the whole line to it."""
        previous = self.lines.get(product_id)
        total = quantity + (previous.quantity if previous else 0)
        if total > MAX_LINE_QUANTITY:
            raise QuantityTooLarge(total)
        # The search (or recommendation) that led to the product is kept when a later add names
        # none; each channel on its own, so a line found by both credits both.
        kept_search = search_id or (previous.search_id if previous else None)
        kept_list = recommendation_id or (previous.recommendation_id if previous else None)
        kept_offer = offer_id or (previous.offer_id if previous else None)
        line = CartLine(product_id, total, unit_price, kept_search, kept_list, kept_offer)
        self.lines[product_id] = line
        return line


def merge_lines(
    customer: Cart, guest: Cart, stock: dict[str, int]
) -> tuple[list[CartLine], list[CartChange]]:
    """The customer's lines after taking in the guest's: quantities add, capped by the stock of
    the offer each line buys from (and the per-line maximum); a line the customer already had is
    never lowered."""
    merged, changes = [], []
    for product_id, line in sorted(guest.lines.items()):
        had = customer.lines.get(product_id)
        wanted = line.quantity + (had.quantity if had else 0)
        cap = max(had.quantity if had else 0, min(stock.get(product_id, 0), MAX_LINE_QUANTITY))
        if wanted > cap:
            changes.append(CartChange(CartChangeCode.QUANTITY_CAPPED, product_id, wanted, cap))
        if cap == 0:
            continue
        search_id = (had.search_id if had else None) or line.search_id
        listed_in = (had.recommendation_id if had else None) or line.recommendation_id
        # The guest's pick of an offer is the newer choice.
        offer_id = line.offer_id or (had.offer_id if had else None)
        merged.append(
            CartLine(product_id, min(wanted, cap), line.unit_price, search_id, listed_in, offer_id)
        )
    return merged, changes
