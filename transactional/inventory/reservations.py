"""Stock reservations: a checkout takes units from an offer's sellable level and holds them, one
row per SKU, until the payment commits them or a decline, cancellation or expiry releases them
(back to the offer they came from)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Column,
    Connection,
    Integer,
    String,
    Table,
    and_,
    bindparam,
    func,
    select,
    update,
)

from transactional.catalog.offers import Offer, home_offer_id
from transactional.common.clock import iso
from transactional.common.db import metadata
from transactional.common.driver_sql import DriverStatement, inserting
from transactional.inventory.domain import ReservationStatus, StockChange, StockReason
from transactional.inventory.offer_stock import OfferStock

stock_reservations = Table(
    "stock_reservations",
    metadata,
    Column("order_id", String(40), primary_key=True),
    Column("product_id", String(32), primary_key=True),
    # The offer the units were taken from (one per product and order: a cart line names one).
    Column("offer_id", String(40)),
    Column("quantity", Integer, nullable=False),
    Column("status", String(12), nullable=False),
    Column("expires_at", String(40), nullable=False, index=True),
    Column("updated_at", String(40), nullable=False),
)

_R = stock_reservations.c
HELD = ReservationStatus.HELD.value
_HOLD = inserting(stock_reservations)
_COMMIT = DriverStatement(
    update(stock_reservations)
    .where(_R.order_id == bindparam("b_order_id"), _R.status == HELD)
    .values(status=ReservationStatus.COMMITTED.value, updated_at=bindparam("b_updated_at"))
)


class ReservationRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.stock = OfferStock(connection)

    def reserve(
        self,
        order_id: str,
        quantities: dict[str, int],
        expires_at: datetime,
        now: datetime,
        sources: dict[str, Offer],
    ) -> list[StockChange]:
        """Takes every SKU from its offer in `sources` or raises OutOfStock; rows are taken in
        product_id order, so two multi-SKU checkouts never wait on each other in a cycle."""
        changes = [
            self.stock.take(sources[product_id], quantities[product_id], StockReason.ORDER)
            for product_id in sorted(quantities)
        ]
        _HOLD.execute_many(
            self.connection,
            [
                {
                    "order_id": order_id,
                    "product_id": product_id,
                    "offer_id": sources[product_id].offer_id,
                    "quantity": quantities[product_id],
                    "status": HELD,
                    "expires_at": iso(expires_at),
                    "updated_at": iso(now),
                }
                for product_id in sorted(quantities)
            ],
        )
        return changes

    def held_products(self, order_id: str) -> list[str]:
        query = select(_R.product_id).where(_R.order_id == order_id, _R.status == HELD)
        return list(self.connection.execute(query.order_by(_R.product_id)).scalars())

    def is_held(self, order_id: str) -> bool:
        query = select(_R.product_id).where(_R.order_id == order_id, _R.status == HELD)
        return self.connection.execute(query.limit(1)).first() is not None

    def commit(self, order_id: str, now: datetime) -> bool:
        """Held to committed; False when nothing was held any more (released or expired)."""
        moved = _COMMIT.execute(self.connection, {"b_order_id": order_id, "b_updated_at": iso(now)})
        return moved.rowcount > 0

    def release(self, order_id: str, reason: StockReason, now: datetime) -> list[StockChange]:
        """Gives held units back, once: a second release (or one racing it) finds nothing held."""
        held = self.connection.execute(
            select(_R.product_id, _R.offer_id, _R.quantity)
            .where(_R.order_id == order_id, _R.status == HELD)
            .order_by(_R.product_id)
        ).all()
        changes = []
        for product_id, offer_id, quantity in held:
            moved = self.connection.execute(
                update(stock_reservations)
                .where(_R.order_id == order_id, _R.product_id == product_id, _R.status == HELD)
                .values(status=ReservationStatus.RELEASED.value, updated_at=iso(now))
            )
            offer_id = offer_id or home_offer_id(product_id)
            if moved.rowcount and (
                change := self.stock.add(offer_id, product_id, quantity, reason)
            ):
                changes.append(change)
        return changes

    def expired(self, now: datetime, limit: int = 500) -> list[str]:
        """Orders holding stock past their expiry, oldest first."""
        query = (
            select(_R.order_id)
            .where(and_(_R.status == HELD, _R.expires_at <= iso(now)))
            .group_by(_R.order_id)
            .order_by(func.min(_R.expires_at), _R.order_id)
            .limit(limit)
        )
        return list(self.connection.execute(query).scalars())
