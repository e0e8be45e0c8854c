"""Placing an order from a cart: one transaction that prices, takes stock and empties the cart."""

from __future__ import annotations

from datetime import timedelta

from contracts import events
from transactional.cart.domain import Cart, CartLine, EmptyCart, customer_cart_id
from transactional.cart.port import carts_in
from transactional.catalog.offer_repository import OfferRepository
from transactional.catalog.offers import Offer, OfferUnavailable, chosen_offer
from transactional.catalog.repository import ProductRepository
from transactional.catalog.shown_price import contested_prices, record_moves
from transactional.catalog.variants import ensure_buyable
from transactional.catalog.views import buy_boxes
from transactional.common.clock import iso
from transactional.common.ids import hex_id
from transactional.common.money import money_text
from transactional.common.uow import Transaction
from transactional.inventory.reservations import ReservationRepository
from transactional.orders.domain import (
    Order,
    OrderLine,
    OrderStatus,
    ProductUnavailable,
    order_currency,
)
from transactional.orders.repository import OrderRepository
from transactional.users.domain import UserNotFound
from transactional.users.repository import UserRepository

RESERVATION_TTL = timedelta(minutes=15)


def place_order(
    tx: Transaction,
    customer_id: str,
    idempotency_key: str | None,
    fingerprint: str | None = None,
    hold_for: timedelta = RESERVATION_TTL,
) -> Order:
    """Raises EmptyCart, ProductUnavailable or OutOfStock; the caller's rollback undoes it all.
    The stock is reserved for `hold_for`: paid by then, or released by `expire_reservations`."""
    if UserRepository(tx.connection).get(customer_id) is None:
        raise UserNotFound(customer_id)
    # SQL carts or Redis carts (settings.cart_backend); see Carts.empty for the Redis case.
    carts = carts_in(tx.connection)
    cart = carts.for_customer(customer_id)
    if cart is None or not cart.lines:
        raise EmptyCart(customer_id)
    # Sorted so concurrent orders take stock rows in one global order and never deadlock.
    product_ids = sorted(cart.lines)
    found = ProductRepository(tx.connection).get_many(product_ids)
    for product_id in product_ids:
        if product_id not in found or found[product_id].deleted:
            raise ProductUnavailable(product_id)
        ensure_buyable(found[product_id])
    sources, before = _offers_of(tx, cart, product_ids)
    currency = order_currency({sources[p].currency for p in product_ids})
    # Orders charge today's price of the offer, not the price seen when the item was added.
    lines = [order_line(cart.lines[p], sources[p]) for p in product_ids]
    order = Order(
        hex_id("o"), customer_id, OrderStatus.PENDING_PAYMENT, currency, lines, tx.now, tx.now
    )
    changes = ReservationRepository(tx.connection).reserve(
        order.order_id,
        {li.product_id: li.quantity for li in lines},
        tx.now + hold_for,
        tx.now,
        sources,
    )
    OrderRepository(tx.connection).add(order, idempotency_key, fingerprint)
    # Redis carts are cleared once this transaction commits, never before: the order's
    # idempotency key, not the cart, is what guards against placing it twice.
    carts.empty(cart.cart_id)
    tx.record(
        events.ORDER_PLACED,
        order.order_id,
        {
            "order_id": order.order_id,
            "customer_id": customer_id,
            "status": order.status.value,
            "currency": currency,
            "total": money_text(order.total),
            "items": [
                {
                    "product_id": li.product_id,
                    "quantity": li.quantity,
                    "unit_price": money_text(li.unit_price),
                    "search_id": li.search_id,
                    "recommendation_id": li.recommendation_id,
                    "offer_id": li.offer_id,
                    "seller_id": li.seller_id,
                }
                for li in lines
            ],
            "placed_at": iso(order.placed_at),
        },
    )
    for change in changes:
        tx.record(events.STOCK_CHANGED, change.product_id, change.payload())
    # The last unit of a buy box gone: another seller's offer may hold it now.
    record_moves(tx, before)
    return order


def _offers_of(tx: Transaction, cart: Cart, product_ids: list[str]):  # type: ignore[no-untyped-def]
    """The offer each line buys from (raises OfferUnavailable for a withdrawn pick,
    ProductUnavailable where nothing is on sale), and the shown prices of contested products."""
    live = OfferRepository(tx.connection).live_of_products(product_ids)
    boxes = buy_boxes(tx.connection, live)
    sources: dict[str, Offer] = {}
    for product_id in product_ids:
        named = cart.lines[product_id].offer_id
        offer = chosen_offer(named, live.get(product_id, []), boxes.get(product_id))
        if offer is None:
            raise OfferUnavailable(named) if named else ProductUnavailable(product_id)
        sources[product_id] = offer
    return sources, contested_prices(live, boxes)


def order_line(line: CartLine, offer: Offer) -> OrderLine:
    """The order line of a cart line: the offer's price today and its seller, and the search or
    recommendation list the line came from, so the sale is credited to the model that showed it."""
    return OrderLine(
        line.product_id, line.quantity, offer.price, line.search_id, line.recommendation_id,
        offer.offer_id, offer.seller_id,
    )  # fmt: skip


def return_to_cart(tx: Transaction, order: Order) -> None:
    """A checkout whose payment was declined gives back the cart it emptied, each line with the
    list it came from, so another card is one step away. A product the shopper has put in the
    cart again since keeps its new line. No CartItemAdded: nobody added anything."""
    carts = carts_in(tx.connection)
    cart = carts.for_customer(order.customer_id)
    if cart is None:
        cart = Cart(customer_cart_id(order.customer_id), order.customer_id)
        carts.create(cart, tx.now)
    for li in order.lines:
        if li.product_id not in cart.lines:
            # No offer named: the order does not say whether the shopper picked one, and the
            # buy box is what a line without a pick gets (the offer the order had, unless
            # another won the box meanwhile).
            line = CartLine(
                li.product_id, li.quantity, li.unit_price, li.search_id, li.recommendation_id
            )
            carts.save_line(cart.cart_id, line, tx.now, True)
