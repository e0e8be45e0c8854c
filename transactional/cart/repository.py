"""SQL carts: one cart per customer, one line per product."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    ForeignKey,
    Integer,
    String,
    Table,
    bindparam,
    delete,
    insert,
    select,
    update,
)

from transactional.cart.domain import Cart, CartLine
from transactional.common.clock import iso
from transactional.common.db import metadata
from transactional.common.money import from_cents, to_cents

carts = Table(
    "carts",
    metadata,
    Column("cart_id", String(40), primary_key=True),
    Column("customer_id", String(32), nullable=False, unique=True),
    Column("created_at", String(40), nullable=False),
)

cart_items = Table(
    "cart_items",
    metadata,
    Column("cart_id", String(40), ForeignKey("carts.cart_id"), primary_key=True),
    Column("product_id", String(32), primary_key=True),
    Column("quantity", Integer, nullable=False),
    Column("unit_price_cents", BigInteger, nullable=False),
    Column("search_id", String(40)),
    Column("added_at", String(40), nullable=False),
)


_CART_OF = select(carts.c.cart_id).where(carts.c.customer_id == bindparam("customer_id"))
_LINES = (
    select(cart_items)
    .where(cart_items.c.cart_id == bindparam("cart_id"))
    .order_by(cart_items.c.product_id)
)
_NEW_CART = insert(carts)
_NEW_LINE = insert(cart_items)
_CHANGE_LINE = (
    update(cart_items)
    .where(
        cart_items.c.cart_id == bindparam("b_cart_id"),
        cart_items.c.product_id == bindparam("b_product_id"),
    )
    .values(
        quantity=bindparam("quantity"),
        unit_price_cents=bindparam("unit_price_cents"),
        search_id=bindparam("search_id"),
        added_at=bindparam("added_at"),
    )
)
_EMPTY = delete(cart_items).where(cart_items.c.cart_id == bindparam("cart_id"))


class CartRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def for_customer(self, customer_id: str) -> Cart | None:
        cart_id = self.connection.execute(
            _CART_OF, {"customer_id": customer_id}
        ).scalar_one_or_none()
        if cart_id is None:
            return None
        rows = self.connection.execute(_LINES, {"cart_id": cart_id})
        lines = {
            r.product_id: CartLine(
                r.product_id, r.quantity, from_cents(r.unit_price_cents), r.search_id
            )
            for r in rows
        }
        return Cart(cart_id, customer_id, lines)

    def create(self, cart: Cart, now: datetime) -> None:
        self.connection.execute(
            _NEW_CART,
            {"cart_id": cart.cart_id, "customer_id": cart.customer_id, "created_at": iso(now)},
        )

    def save_line(self, cart_id: str, line: CartLine, now: datetime, is_new: bool) -> None:
        values = {
            "quantity": line.quantity,
            "unit_price_cents": to_cents(line.unit_price),
            "search_id": line.search_id,
            "added_at": iso(now),
        }
        if is_new:
            self.connection.execute(
                _NEW_LINE, {"cart_id": cart_id, "product_id": line.product_id, **values}
            )
        else:
            self.connection.execute(
                _CHANGE_LINE, {"b_cart_id": cart_id, "b_product_id": line.product_id, **values}
            )

    def empty(self, cart_id: str) -> None:
        self.connection.execute(_EMPTY, {"cart_id": cart_id})
