"""SQL stock table; decrements are one conditional UPDATE so two orders can never oversell."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import (
    CheckConstraint,
    Column,
    Connection,
    Integer,
    String,
    Table,
    bindparam,
    insert,
    select,
    update,
)

from transactional.common.db import metadata
from transactional.common.driver_sql import DriverStatement
from transactional.inventory.domain import OutOfStock, StockChange, StockReason

stock = Table(
    "stock",
    metadata,
    Column("product_id", String(32), primary_key=True),
    Column("quantity", Integer, nullable=False),
    CheckConstraint("quantity >= 0", name="stock_never_negative"),
)


_INSERT = insert(stock)
_LEVEL = select(stock.c.quantity).where(stock.c.product_id == bindparam("product_id"))
# "b_" prefix: SQLAlchemy reserves bare column names for SET values.
_ADD = DriverStatement(
    update(stock)
    .where(stock.c.product_id == bindparam("b_product_id"))
    .values(quantity=stock.c.quantity + bindparam("delta"))
    .returning(stock.c.quantity)
)
# Check and decrement in one statement: no read-then-write window for a second order to slip in.
_TAKE = DriverStatement(
    update(stock)
    .where(stock.c.product_id == bindparam("b_product_id"), stock.c.quantity >= bindparam("delta"))
    .values(quantity=stock.c.quantity - bindparam("delta"))
    .returning(stock.c.quantity)
)


class StockRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def create(self, product_id: str, quantity: int) -> None:
        self.connection.execute(_INSERT, {"product_id": product_id, "quantity": quantity})

    def level(self, product_id: str) -> int | None:
        return self.connection.execute(_LEVEL, {"product_id": product_id}).scalar_one_or_none()

    def levels(self, product_ids: Iterable[str]) -> dict[str, int]:
        rows = self.connection.execute(
            select(stock.c.product_id, stock.c.quantity).where(
                stock.c.product_id.in_(list(product_ids))
            )
        )
        return {row.product_id: row.quantity for row in rows}

    def add(self, product_id: str, quantity: int, reason: StockReason) -> StockChange | None:
        new_level = _ADD.execute(
            self.connection, {"b_product_id": product_id, "delta": quantity}
        ).scalar()
        return None if new_level is None else StockChange(product_id, new_level, quantity, reason)

    def take(self, product_id: str, quantity: int, reason: StockReason) -> StockChange:
        """Atomic check-and-decrement; raises OutOfStock (the caller's transaction rolls back)."""
        new_level = _TAKE.execute(
            self.connection, {"b_product_id": product_id, "delta": quantity}
        ).scalar()
        if new_level is None:
            raise OutOfStock(product_id, quantity, self.level(product_id) or 0)
        return StockChange(product_id, new_level, -quantity, reason)
