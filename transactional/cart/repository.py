"""SQL carts (the embedded default): one cart per customer or guest, one line per product."""

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
    select,
    update,
)

from transactional.cart.domain import Cart, CartLine
from transactional.cart.port import CartBackend, Carts
from transactional.common.clock import iso
from transactional.common.db import metadata
from transactional.common.driver_sql import DriverStatement, inserting
from transactional.common.money import from_cents, to_cents

carts = Table(
    "carts",
    metadata,
    Column("cart_id", String(40), primary_key=True),
    # The owner: a customer id, or for a guest cart its own id (so the column stays NOT NULL).
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
    Column("recommendation_id", String(40)),
    Column("added_at", String(40), nullable=False),
    # The offer picked; null: the buy box at checkout.
    Column("offer_id", String(40)),
)


# A cart and its lines in one round trip (an empty cart is one row of NULL line columns).
_CART_WITH_LINES = (
    select(
        carts.c.cart_id,
        carts.c.customer_id.label("owner"),
        cart_items.c.product_id,
        cart_items.c.quantity,
        cart_items.c.unit_price_cents,
        cart_items.c.search_id,
        cart_items.c.recommendation_id,
        cart_items.c.offer_id,
    )
    .select_from(carts.outerjoin(cart_items, cart_items.c.cart_id == carts.c.cart_id))
    .order_by(cart_items.c.product_id)
)
_CART_OF = DriverStatement(_CART_WITH_LINES.where(carts.c.customer_id == bindparam("customer_id")))
_CART = DriverStatement(_CART_WITH_LINES.where(carts.c.cart_id == bindparam("cart_id")))
_NEW_CART = inserting(carts)
_NEW_LINE = inserting(cart_items)
_CHANGE_LINE = DriverStatement(
    update(cart_items)
    .where(
        cart_items.c.cart_id == bindparam("b_cart_id"),
        cart_items.c.product_id == bindparam("b_product_id"),
    )
    .values(
        quantity=bindparam("quantity"),
        unit_price_cents=bindparam("unit_price_cents"),
        search_id=bindparam("search_id"),
        recommendation_id=bindparam("recommendation_id"),
        added_at=bindparam("added_at"),
        offer_id=bindparam("offer_id"),
    )
)
_REMOVE_LINE = DriverStatement(
    delete(cart_items).where(
        cart_items.c.cart_id == bindparam("cart_id"),
        cart_items.c.product_id == bindparam("product_id"),
    )
)
_EMPTY = DriverStatement(delete(cart_items).where(cart_items.c.cart_id == bindparam("cart_id")))
_DELETE = DriverStatement(delete(carts).where(carts.c.cart_id == bindparam("cart_id")))


class CartRepository(Carts):
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def for_customer(self, customer_id: str) -> Cart | None:
        return _cart(_CART_OF.execute(self.connection, {"customer_id": customer_id}).rows)

    def get(self, cart_id: str) -> Cart | None:
        return _cart(_CART.execute(self.connection, {"cart_id": cart_id}).rows)

    def create(self, cart: Cart, now: datetime) -> None:
        owner = cart.customer_id or cart.cart_id
        _NEW_CART.execute(
            self.connection, {"cart_id": cart.cart_id, "customer_id": owner, "created_at": iso(now)}
        )

    def save_line(self, cart_id: str, line: CartLine, now: datetime, is_new: bool) -> None:
        values = {
            "quantity": line.quantity,
            "unit_price_cents": to_cents(line.unit_price),
            "search_id": line.search_id,
            "recommendation_id": line.recommendation_id,
            "added_at": iso(now),
            "offer_id": line.offer_id,
        }
        if is_new:
            _NEW_LINE.execute(
                self.connection, {"cart_id": cart_id, "product_id": line.product_id, **values}
            )
        else:
            _CHANGE_LINE.execute(
                self.connection,
                {"b_cart_id": cart_id, "b_product_id": line.product_id, **values},
            )

    def remove_line(self, cart_id: str, product_id: str) -> bool:
        found = _REMOVE_LINE.execute(
            self.connection, {"cart_id": cart_id, "product_id": product_id}
        )
        return found.rowcount == 1

    def empty(self, cart_id: str) -> None:
        _EMPTY.execute(self.connection, {"cart_id": cart_id})

    def delete(self, cart_id: str) -> None:
        _EMPTY.execute(self.connection, {"cart_id": cart_id})
        _DELETE.execute(self.connection, {"cart_id": cart_id})


def _cart(rows) -> Cart | None:  # type: ignore[no-untyped-def]
    if not rows:
        return None
    cart_id, owner = rows[0].cart_id, rows[0].owner
    lines = {
        r.product_id: CartLine(
            r.product_id,
            r.quantity,
            from_cents(r.unit_price_cents),
            r.search_id,
            r.recommendation_id,
            r.offer_id,
        )
        for r in rows
        if r.product_id is not None
    }
    # A guest cart owns itself (see the owner column).
    return Cart(cart_id, None if owner == cart_id else owner, lines)


class SqlCartBackend(CartBackend):
    """The default: carts commit (or roll back) with the unit of work they are written in."""

    def carts(self, connection: Connection) -> Carts:
        return CartRepository(connection)
