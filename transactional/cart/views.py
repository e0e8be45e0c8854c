"""What a cart looks like to its shopper: today's prices and stock, and what changed since."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import Connection

from transactional.cart.domain import Cart, CartChange, CartChangeCode
from transactional.catalog.domain import Product
from transactional.catalog.repository import ProductRepository
from transactional.inventory.repository import StockRepository


@dataclass(frozen=True)
class CartItemView:
    product_id: str
    title: str
    quantity: int
    unit_price: Decimal
    line_total: Decimal
    available: bool  # False once the product is delisted


@dataclass(frozen=True)
class CartView:
    cart_id: str | None
    customer_id: str | None  # None for a guest cart
    items: list[CartItemView]
    total: Decimal
    currency: str
    # Re-checked on every read, so the checkout preview tells the shopper before paying.
    changes: list[CartChange] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        """True when checkout would find every item listed and in stock."""
        # A new price is only news: the order charges today's price, which the view shows.
        return bool(self.items) and all(
            c.code == CartChangeCode.PRICE_CHANGED for c in self.changes
        )


def cart_view(
    connection: Connection,
    cart: Cart | None,
    customer_id: str | None,
    known: dict[str, Product] | None = None,
) -> CartView:
    """`known`: products the caller read in this same transaction (not read again)."""
    if cart is None:
        return CartView(None, customer_id, [], Decimal("0.00"), "USD")
    product_ids = list(cart.lines)
    found = {p: known[p] for p in product_ids if known and p in known}
    if missing := [p for p in product_ids if p not in found]:
        found |= ProductRepository(connection).get_many(missing)
    stock = StockRepository(connection).levels(product_ids) if product_ids else {}
    items, changes = [], []
    for line in cart.lines.values():
        product = found.get(line.product_id)
        listed = product is not None and not product.deleted
        price = product.price if product else line.unit_price
        items.append(
            CartItemView(
                line.product_id,
                product.title if product else "",
                line.quantity,
                price,
                price * line.quantity,
                listed,
            )
        )
        changes.extend(
            _changes(line.product_id, line.quantity, line.unit_price, price, listed, stock)
        )
    currency = next((p.currency for p in found.values()), "USD")
    total = sum((i.line_total for i in items), Decimal("0.00"))
    return CartView(cart.cart_id, cart.customer_id, items, total, currency, changes)


def _changes(
    product_id: str,
    quantity: int,
    added_at_price: Decimal,
    price: Decimal,
    listed: bool,
    stock: dict[str, int],
) -> list[CartChange]:
    if not listed:
        return [CartChange(CartChangeCode.PRODUCT_UNAVAILABLE, product_id, quantity, 0)]
    found: list[CartChange] = []
    if price != added_at_price:
        found.append(
            CartChange(CartChangeCode.PRICE_CHANGED, product_id, None, None, added_at_price, price)
        )
    left = stock.get(product_id, 0)
    if left == 0:
        found.append(CartChange(CartChangeCode.OUT_OF_STOCK, product_id, quantity, 0))
    elif left < quantity:
        found.append(CartChange(CartChangeCode.INSUFFICIENT_STOCK, product_id, quantity, left))
    return found
