"""Cart handlers: add a product, view the cart."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from transactional.cart.domain import Cart
from transactional.cart.repository import CartRepository
from transactional.catalog.domain import ProductNotFound
from transactional.catalog.repository import ProductRepository
from transactional.common import events
from transactional.common.ids import hex_id
from transactional.common.money import money_text
from transactional.common.uow import UnitOfWork
from transactional.inventory.domain import ensure_positive_quantity
from transactional.users.domain import UserNotFound
from transactional.users.repository import UserRepository


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
    customer_id: str
    items: list[CartItemView]
    total: Decimal
    currency: str


class CartService:
    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow

    def add_item(
        self, customer_id: str, product_id: str, quantity: int, search_id: str | None = None
    ) -> str:
        quantity = ensure_positive_quantity(quantity)
        with self.uow.begin() as tx:
            if UserRepository(tx.connection).get(customer_id) is None:
                raise UserNotFound(customer_id)
            product = ProductRepository(tx.connection).get(product_id)
            if product is None or product.deleted:
                raise ProductNotFound(product_id)
            repo = CartRepository(tx.connection)
            cart = repo.for_customer(customer_id)
            if cart is None:
                cart = Cart(hex_id("cart"), customer_id)
                repo.create(cart, tx.now)
            is_new = product_id not in cart.lines
            line = cart.add(product_id, quantity, product.price, search_id)
            repo.save_line(cart.cart_id, line, tx.now, is_new)
            tx.record(
                events.CART_ITEM_ADDED,
                cart.cart_id,
                {
                    "cart_id": cart.cart_id,
                    "customer_id": customer_id,
                    "product_id": product_id,
                    "quantity": quantity,
                    "unit_price": money_text(product.price),
                    "search_id": search_id,
                },
            )
        return cart.cart_id

    def view(self, customer_id: str) -> CartView:
        with self.uow.read() as connection:
            cart = CartRepository(connection).for_customer(customer_id)
            if cart is None:
                return CartView(None, customer_id, [], Decimal("0.00"), "USD")
            found = ProductRepository(connection).get_many(list(cart.lines))
        items = []
        for line in cart.lines.values():
            product = found.get(line.product_id)
            price = product.price if product else line.unit_price
            items.append(
                CartItemView(
                    line.product_id,
                    product.title if product else "",
                    line.quantity,
                    price,
                    price * line.quantity,
                    product is not None and not product.deleted,
                )
            )
        currency = next((p.currency for p in found.values()), "USD")
        total = sum((i.line_total for i in items), Decimal("0.00"))
        return CartView(cart.cart_id, customer_id, items, total, currency)
