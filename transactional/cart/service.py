"""Cart handlers: add to a customer's or a guest's cart, remove, view with what changed, and merge
a guest cart into the customer's at login."""

from __future__ import annotations

from dataclasses import dataclass

from contracts import events
from transactional.cart.domain import (
    Cart,
    CartChange,
    CartNotFound,
    NotInCart,
    customer_cart_id,
    ensure_guest_cart_id,
    merge_lines,
    new_guest_cart_id,
)
from transactional.cart.port import Carts, carts_in
from transactional.cart.views import CartItemView, CartView, LiveOffers, cart_view, line_offers
from transactional.catalog.domain import Product, ProductNotFound
from transactional.catalog.offer_repository import OfferRepository
from transactional.catalog.offers import Offer, OfferNotFound, OfferUnavailable
from transactional.catalog.repository import ProductRepository
from transactional.catalog.variants import ensure_buyable
from transactional.catalog.views import buy_boxes
from transactional.common.money import money_text
from transactional.common.uow import Transaction, UnitOfWork
from transactional.inventory.domain import ensure_positive_quantity
from transactional.users.domain import UserNotFound
from transactional.users.repository import UserRepository

__all__ = ["CartItemView", "CartMerge", "CartService", "CartView"]


@dataclass(frozen=True)
class Origin:
    """Where the shopper found what this add puts in the cart (None: neither channel)."""

    search_id: str | None
    recommendation_id: str | None
    offer_id: str | None = None  # the offer picked; None: the buy box


@dataclass(frozen=True)
class CartMerge:
    cart_id: str
    changes: list[CartChange]


class CartService:
    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow

    def add_item(
        self,
        customer_id: str,
        product_id: str,
        quantity: int,
        search_id: str | None = None,
        recommendation_id: str | None = None,
        offer_id: str | None = None,
    ) -> str:
        """`search_id` / `recommendation_id`: the search result or recommendation list the
        shopper added it from, kept on the line and carried into the order. `offer_id`: buy
        from that offer of the product, not whichever holds the buy box at checkout."""
        origin = Origin(search_id, recommendation_id, offer_id)
        with self.uow.begin() as tx:
            return self._add_for(tx, customer_id, product_id, quantity, origin)[0].cart_id

    def add_item_and_view(
        self,
        customer_id: str,
        product_id: str,
        quantity: int,
        search_id: str | None = None,
        recommendation_id: str | None = None,
        offer_id: str | None = None,
    ) -> CartView:
        """The HTTP add: the cart as the answer, read in the same transaction (one less)."""
        origin = Origin(search_id, recommendation_id, offer_id)
        with self.uow.begin() as tx:
            cart, product, live = self._add_for(tx, customer_id, product_id, quantity, origin)
            return cart_view(tx.connection, cart, customer_id, {product_id: product}, live)

    def add_guest_item(
        self,
        cart_id: str | None,
        product_id: str,
        quantity: int,
        search_id: str | None = None,
        recommendation_id: str | None = None,
        offer_id: str | None = None,
    ) -> CartView:
        """Into the guest cart `cart_id`, or a new one when None; the cart as it is now."""
        quantity = ensure_positive_quantity(quantity)
        with self.uow.begin() as tx:
            carts = carts_in(tx.connection)
            product = _listed(tx, product_id)  # before a new cart: Redis would keep an empty one
            cart = self._new(tx, carts, None) if cart_id is None else _guest(carts, cart_id)
            origin = Origin(search_id, recommendation_id, offer_id)
            live = self._add(tx, carts, cart, product, quantity, origin)
            return cart_view(tx.connection, cart, None, {product_id: product}, live)

    def remove_item(self, customer_id: str, product_id: str) -> None:
        with self.uow.begin() as tx:
            carts = carts_in(tx.connection)
            cart = carts.for_customer(customer_id)
            if cart is None or not carts.remove_line(cart.cart_id, product_id):
                raise NotInCart(product_id)

    def remove_guest_item(self, cart_id: str, product_id: str) -> None:
        with self.uow.begin() as tx:
            carts = carts_in(tx.connection)
            if not carts.remove_line(_guest(carts, cart_id).cart_id, product_id):
                raise NotInCart(product_id)

    def view(self, customer_id: str) -> CartView:
        with self.uow.read() as connection:
            cart = carts_in(connection).for_customer(customer_id)
            return cart_view(connection, cart, customer_id)

    def view_guest(self, cart_id: str) -> CartView:
        with self.uow.read() as connection:
            return cart_view(connection, _guest(carts_in(connection), cart_id), None)

    def merge_guest(self, guest_cart_id: str, customer_id: str) -> CartMerge | None:
        """Moves the guest cart's lines into the customer's (quantities add, capped by stock)
        and deletes the guest cart; None when there is no such guest cart (an old cookie)."""
        with self.uow.begin() as tx:
            carts = carts_in(tx.connection)
            guest = carts.get(ensure_guest_cart_id(guest_cart_id))
            if guest is None or not guest.is_guest:
                return None
            cart = carts.for_customer(customer_id) or self._new(tx, carts, customer_id)
            # Each line is capped by the offer it will buy from (the guest's pick is the newer).
            sources = line_offers(tx.connection, guest)
            stock = {p: offer.stock if offer else 0 for p, offer in sources.items()}
            merged, changes = merge_lines(cart, guest, stock)
            for line in merged:
                carts.save_line(cart.cart_id, line, tx.now, line.product_id not in cart.lines)
            carts.delete(guest.cart_id)
        return CartMerge(cart.cart_id, changes)

    def _add_for(
        self,
        tx: Transaction,
        customer_id: str,
        product_id: str,
        quantity: int,
        origin: Origin,
    ) -> tuple[Cart, Product, LiveOffers]:
        quantity = ensure_positive_quantity(quantity)
        if UserRepository(tx.connection).get(customer_id) is None:
            raise UserNotFound(customer_id)
        carts = carts_in(tx.connection)
        product = _listed(tx, product_id)
        cart = carts.for_customer(customer_id) or self._new(tx, carts, customer_id)
        live = self._add(tx, carts, cart, product, quantity, origin)
        return cart, product, live

    @staticmethod
    def _new(tx: Transaction, carts: Carts, customer_id: str | None) -> Cart:
        cart_id = new_guest_cart_id() if customer_id is None else customer_cart_id(customer_id)
        cart = Cart(cart_id, customer_id)
        carts.create(cart, tx.now)
        return cart

    @staticmethod
    def _add(
        tx: Transaction,
        carts: Carts,
        cart: Cart,
        product: Product,
        quantity: int,
        origin: Origin,
    ) -> LiveOffers:
        """The product's live offers where they were read to price the line (the view reuses
        them rather than reading them again), else empty."""
        product_id = product.product_id
        is_new = product_id not in cart.lines
        offer, live = _offer_for(tx, product, origin.offer_id)
        price = offer.price if offer else product.price
        line = cart.add(
            product_id, quantity, price, origin.search_id, origin.recommendation_id,
            origin.offer_id,
        )  # fmt: skip
        carts.save_line(cart.cart_id, line, tx.now, is_new)
        tx.record(
            events.CART_ITEM_ADDED,
            cart.cart_id,
            {
                "cart_id": cart.cart_id,
                "customer_id": cart.customer_id,  # None for a guest
                "product_id": product_id,
                "quantity": quantity,
                "unit_price": money_text(price),
                "search_id": origin.search_id,
                "recommendation_id": origin.recommendation_id,
                "offer_id": offer.offer_id if offer else None,
                "seller_id": offer.seller_id if offer else None,
            },
        )
        return live


def _listed(tx: Transaction, product_id: str) -> Product:
    product = ProductRepository(tx.connection).get(product_id)
    if product is None or product.deleted:
        raise ProductNotFound(product_id)
    ensure_buyable(product)  # a parent is bought as one of its variants
    return product


def _offer_for(
    tx: Transaction, product: Product, offer_id: str | None
) -> tuple[Offer | None, LiveOffers]:
    """The offer named (OfferNotFound when it is not one of this product's, OfferUnavailable
    once withdrawn), else the buy box now (None: the product has no offer on sale); and the
    product's live offers when they were read for the buy box."""
    repo = OfferRepository(tx.connection)
    if offer_id is None:
        live = {product.product_id: repo.live_of_products([product.product_id])[product.product_id]}
        return buy_boxes(tx.connection, live).get(product.product_id), live
    offer = repo.get(offer_id)
    if offer is None or offer.product_id != product.product_id:
        raise OfferNotFound(offer_id)
    if offer.deleted:
        raise OfferUnavailable(offer_id)
    return offer, {}


def _guest(carts: Carts, cart_id: str) -> Cart:
    cart = carts.get(ensure_guest_cart_id(cart_id))
    if cart is None or not cart.is_guest:
        raise CartNotFound(cart_id)
    return cart
