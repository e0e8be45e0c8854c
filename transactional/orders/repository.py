"""SQL orders and items; (customer_id, idempotency_key) is unique, so a retry finds its order."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    ForeignKey,
    Integer,
    String,
    Table,
    UniqueConstraint,
    bindparam,
    select,
    update,
)

from transactional.common.clock import iso
from transactional.common.db import metadata
from transactional.common.driver_sql import DriverStatement, inserting
from transactional.common.money import from_cents, to_cents
from transactional.orders.domain import BOUGHT, OPEN, Order, OrderLine, OrderStatus

orders = Table(
    "orders",
    metadata,
    Column("order_id", String(40), primary_key=True),
    Column("customer_id", String(32), nullable=False, index=True),
    Column("status", String(24), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("total_cents", BigInteger, nullable=False),
    Column("idempotency_key", String(200)),
    Column("placed_at", String(40), nullable=False),
    Column("updated_at", String(40), nullable=False),
    # sha256 of the request that placed it: the same key with another body is refused.
    Column("request_fingerprint", String(64)),
    UniqueConstraint("customer_id", "idempotency_key", name="one_order_per_idempotency_key"),
)

order_items = Table(
    "order_items",
    metadata,
    Column("order_id", String(40), ForeignKey("orders.order_id"), primary_key=True),
    Column("product_id", String(32), primary_key=True),
    Column("quantity", Integer, nullable=False),
    Column("unit_price_cents", BigInteger, nullable=False),
    Column("search_id", String(40)),
    Column("recommendation_id", String(40)),
    # The offer the line was bought from and its seller (who ships it and is paid for it).
    Column("offer_id", String(40)),
    Column("seller_id", String(32), index=True),
)


_NEW_ORDER = inserting(orders)
_NEW_ITEMS = inserting(order_items)
_SET_STATUS = DriverStatement(
    update(orders)
    .where(orders.c.order_id == bindparam("b_order_id"), orders.c.status == bindparam("b_previous"))
    .values(status=bindparam("status"), updated_at=bindparam("updated_at"))
)
_ITEMS_OF = (
    select(order_items)
    .where(order_items.c.order_id.in_(bindparam("ids", expanding=True)))
    .order_by(order_items.c.product_id)
)
_NEWEST_FIRST = (orders.c.placed_at.desc(), orders.c.order_id)
_BY_ID = select(orders).where(orders.c.order_id == bindparam("order_id"))
_BY_ID_LOCKED = DriverStatement(_BY_ID.with_for_update())  # what every payment step reads
_BY_KEY = select(orders).where(
    orders.c.customer_id == bindparam("customer_id"),
    orders.c.idempotency_key == bindparam("key"),
)
_OF_CUSTOMER = (
    select(orders).where(orders.c.customer_id == bindparam("customer_id")).order_by(*_NEWEST_FIRST)
)


class OrderRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def add(
        self, order: Order, idempotency_key: str | None, fingerprint: str | None = None
    ) -> None:
        _NEW_ORDER.execute(
            self.connection,
            {
                "order_id": order.order_id,
                "customer_id": order.customer_id,
                "status": order.status.value,
                "currency": order.currency,
                "total_cents": to_cents(order.total),
                "idempotency_key": idempotency_key,
                "request_fingerprint": fingerprint,
                "placed_at": iso(order.placed_at),
                "updated_at": iso(order.updated_at),
            },
        )
        _NEW_ITEMS.execute_many(
            self.connection,
            [
                {
                    "order_id": order.order_id,
                    "product_id": line.product_id,
                    "quantity": line.quantity,
                    "unit_price_cents": to_cents(line.unit_price),
                    "search_id": line.search_id,
                    "recommendation_id": line.recommendation_id,
                    "offer_id": line.offer_id,
                    "seller_id": line.seller_id,
                }
                for line in order.lines
            ],
        )

    def save_status(self, order: Order, previous: OrderStatus) -> bool:
        """Compare-and-set: False when another writer moved the order first."""
        moved = _SET_STATUS.execute(
            self.connection,
            {
                "b_order_id": order.order_id,
                "b_previous": previous.value,
                "status": order.status.value,
                "updated_at": iso(order.updated_at),
            },
        )
        return moved.rowcount > 0

    def get(
        self, order_id: str, lock: bool = False, lines: list[OrderLine] | None = None
    ) -> Order | None:
        """`lines`: the order's lines as the caller already holds them (they never change once
        placed), so only the order row is read."""
        query = _BY_ID_LOCKED if lock else _BY_ID
        found = self._load(query, {"order_id": order_id}, lines)
        return found[0] if found else None

    def fingerprint(self, order_id: str) -> str | None:
        query = select(orders.c.request_fingerprint).where(orders.c.order_id == order_id)
        return self.connection.execute(query).scalar_one_or_none()

    def of_seller(self, seller_id: str, limit: int) -> list[Order]:
        """Orders holding at least one line the seller sold (all their lines are loaded)."""
        sold = select(order_items.c.order_id).where(order_items.c.seller_id == seller_id)
        query = select(orders).where(orders.c.order_id.in_(sold)).order_by(*_NEWEST_FIRST)
        return self._load(query.limit(limit), {})

    def newest(self, limit: int) -> list[Order]:
        return self._load(select(orders).order_by(*_NEWEST_FIRST).limit(limit), {})

    def seller_ids(self, order_id: str) -> set[str]:
        query = select(order_items.c.seller_id).where(order_items.c.order_id == order_id)
        return {seller for seller in self.connection.execute(query).scalars() if seller}

    def has_bought(self, customer_id: str, product_id: str) -> bool:
        """Whether an order of the customer that was paid for holds the product."""
        query = (
            select(orders.c.order_id)
            .join(order_items, order_items.c.order_id == orders.c.order_id)
            .where(
                orders.c.customer_id == customer_id,
                order_items.c.product_id == product_id,
                orders.c.status.in_([status.value for status in BOUGHT]),
            )
            .limit(1)
        )
        return self.connection.execute(query).first() is not None

    def open_order_holding(self, product_ids: list[str]) -> str | None:
        """An order still under way (domain.OPEN) with a line of one of these products."""
        query = (
            select(orders.c.order_id)
            .join(order_items, order_items.c.order_id == orders.c.order_id)
            .where(
                order_items.c.product_id.in_(product_ids),
                orders.c.status.in_([status.value for status in OPEN]),
            )
            .limit(1)
        )
        return self.connection.execute(query).scalar()

    def by_idempotency_key(self, customer_id: str, key: str) -> Order | None:
        found = self._load(_BY_KEY, {"customer_id": customer_id, "key": key})
        return found[0] if found else None

    def of_customer(self, customer_id: str, limit: int = 1000) -> list[Order]:
        return self._load(_OF_CUSTOMER.limit(limit), {"customer_id": customer_id})

    def _load(
        self, query: Any, params: dict[str, str], known: list[OrderLine] | None = None
    ) -> list[Order]:
        heads: Sequence[Any]
        if isinstance(query, DriverStatement):
            heads = query.execute(self.connection, params).rows
        else:
            heads = self.connection.execute(query, params).all()
        if not heads:
            return []
        lines: dict[str, list[OrderLine]] = defaultdict(list)
        if known is not None:
            assert len(heads) == 1, "known lines are one order's"
            lines[heads[0].order_id] = list(known)
        ids = [] if known is not None else [h.order_id for h in heads]
        for r in self.connection.execute(_ITEMS_OF, {"ids": ids}) if ids else ():
            lines[r.order_id].append(
                OrderLine(
                    r.product_id,
                    r.quantity,
                    from_cents(r.unit_price_cents),
                    r.search_id,
                    r.recommendation_id,
                    r.offer_id,
                    r.seller_id,
                )
            )
        return [
            Order(
                h.order_id,
                h.customer_id,
                OrderStatus(h.status),
                h.currency,
                lines[h.order_id],
                datetime.fromisoformat(h.placed_at),
                datetime.fromisoformat(h.updated_at),
            )
            for h in heads
        ]
