"""What a cart looks like to its shopper: today's prices and stock, and what changed since."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import Connection

from transactional.cart.domain import Cart, CartChange, CartChangeCode, CartLine
from transactional.catalog.domain import Product
from transactional.catalog.offer_repository import OfferRepository
from transactional.catalog.offers import Offer, chosen_offer
from transactional.catalog.repository import ProductRepository
from transactional.catalog.views import buy_boxes


@dataclass(frozen=True)
class CartItemView:
    product_id: str
    title: str
    quantity: int
    unit_price: Decimal
    line_total: Decimal
    available: bool  # False once the product is delisted (or the offer picked is withdrawn)
    offer_id: str | None = None  # the offer it buys from now: the one picked, else the buy box
    seller_id: str | None = None


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


# Each product's live offers, as OfferRepository.live_of_products reads them.
LiveOffers = dict[str, list[Offer]]


def line_offers(
    connection: Connection, cart: Cart, known: LiveOffers | None = None
) -> dict[str, Offer | None]:
    """The offer each line would buy from now (None: none on sale). `known`: live offers of
    some lines' products read in this same transaction (not read again)."""
    known = known or {}
    live = {p: known[p] for p in cart.lines if p in known}
    if missing := [p for p in cart.lines if p not in known]:
        live |= OfferRepository(connection).live_of_products(missing)
    boxes = buy_boxes(connection, live)
    return {
        product_id: chosen_offer(line.offer_id, live.get(product_id, []), boxes.get(product_id))
        for product_id, line in cart.lines.items()
    }


def cart_view(
    connection: Connection,
    cart: Cart | None,
    customer_id: str | None,
    known: dict[str, Product] | None = None,
    known_offers: LiveOffers | None = None,
) -> CartView:
    """`known`, `known_offers`: products and their live offers the caller read in this same
    transaction (not read again)."""
    if cart is None:
        return CartView(None, customer_id, [], Decimal("0.00"), "USD")
    product_ids = list(cart.lines)
    found = {p: known[p] for p in product_ids if known and p in known}
    if missing := [p for p in product_ids if p not in found]:
        found |= ProductRepository(connection).get_many(missing)
    sources = line_offers(connection, cart, known_offers) if product_ids else {}
    items, changes = [], []
    for line in cart.lines.values():
        product = found.get(line.product_id)
        offer = sources.get(line.product_id)
        listed = product is not None and not product.deleted
        price = offer.price if offer else (product.price if product else line.unit_price)
        items.append(
            CartItemView(
                line.product_id,
                product.title if product else "",
                line.quantity,
                price,
                price * line.quantity,
                listed and offer is not None,
                offer.offer_id if offer else None,
                offer.seller_id if offer else None,
            )
        )
        changes.extend(_changes(line, price, listed, offer))
    currency = next((p.currency for p in found.values()), "USD")
    total = sum((i.line_total for i in items), Decimal("0.00"))
    return CartView(cart.cart_id, cart.customer_id, items, total, currency, changes)


def _changes(line: CartLine, price: Decimal, listed: bool, offer: Offer | None) -> list[CartChange]:
    product_id, quantity = line.product_id, line.quantity
    if not listed:
        return [CartChange(CartChangeCode.PRODUCT_UNAVAILABLE, product_id, quantity, 0)]
    if offer is None and line.offer_id is not None:
        return [CartChange(CartChangeCode.OFFER_UNAVAILABLE, product_id, quantity, 0)]
    found: list[CartChange] = []
    if price != line.unit_price:
        found.append(
            CartChange(CartChangeCode.PRICE_CHANGED, product_id, None, None, line.unit_price, price)
        )
    left = offer.stock if offer else 0
    if left == 0:
        found.append(CartChange(CartChangeCode.OUT_OF_STOCK, product_id, quantity, 0))
    elif left < quantity:
        found.append(CartChange(CartChangeCode.INSUFFICIENT_STOCK, product_id, quantity, left))
    return found
