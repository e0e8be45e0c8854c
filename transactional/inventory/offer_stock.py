"""Stock per offer, and the product's level kept as the sum over its live offers.

Every move takes the offer's row first, then the product's `stock` row, in one transaction; a
checkout takes its lines in product_id order, so two checkouts lock rows in one global order and
never wait on each other in a cycle. The offer's decrement is one conditional UPDATE, so two
buyers of the last unit can never both get it."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import Connection, bindparam, update

from transactional.catalog.offer_repository import offers
from transactional.catalog.offers import Offer
from transactional.common.driver_sql import DriverStatement
from transactional.inventory.domain import OutOfStock, StockChange, StockReason
from transactional.inventory.repository import StockRepository

_O = offers.c
# The conditional decrement every checkout line runs ("b_": bare column names are SET values).
_TAKE = DriverStatement(
    update(offers)
    .where(
        _O.offer_id == bindparam("b_offer_id"),
        _O.quantity >= bindparam("b_quantity"),
        _O.deleted_at.is_(None),
    )
    .values(quantity=_O.quantity - bindparam("b_quantity"))
    .returning(_O.quantity)
)
# Tries of a seller's set-to-level against checkouts moving the same offer meanwhile.
SET_LEVEL_TRIES = 20


class OfferStock:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.products = StockRepository(connection)

    def take(self, offer: Offer, quantity: int, reason: StockReason) -> StockChange:
        """Raises OutOfStock naming the offer's own level (the caller's transaction rolls back)."""
        level = _TAKE.execute(
            self.connection, {"b_offer_id": offer.offer_id, "b_quantity": quantity}
        ).scalar()
        if level is None:
            raise OutOfStock(offer.product_id, quantity, self._level(offer.offer_id))
        change = self.products.take(offer.product_id, quantity, reason)
        return replace(change, offer_id=offer.offer_id, offer_stock=level)

    def add(
        self, offer_id: str, product_id: str, quantity: int, reason: StockReason
    ) -> StockChange | None:
        """None when the offer was withdrawn: its units left the shelf with it."""
        level = self.connection.execute(
            update(offers)
            .where(_O.offer_id == offer_id, _O.deleted_at.is_(None))
            .values(quantity=_O.quantity + quantity)
            .returning(_O.quantity)
        ).scalar_one_or_none()
        if level is None:
            return None
        change = self.products.add(product_id, quantity, reason)
        return None if change is None else replace(change, offer_id=offer_id, offer_stock=level)

    def set_level(self, offer: Offer, wanted: int) -> StockChange | None:
        """The seller's count of what is on the shelf; a compare-and-set on the level last read,
        so a checkout taking units meanwhile is never undone. None when nothing moved."""
        seen = self._level(offer.offer_id)
        for _ in range(SET_LEVEL_TRIES):
            if seen == wanted:
                return None
            moved = self.connection.execute(
                update(offers)
                .where(_O.offer_id == offer.offer_id, _O.quantity == seen)
                .values(quantity=wanted)
            )
            if moved.rowcount:
                change = self.products.add(offer.product_id, wanted - seen, StockReason.ADJUST)
                assert change is not None, "every product has its stock row"
                return replace(change, offer_id=offer.offer_id, offer_stock=wanted)
            seen = self._level(offer.offer_id)
        raise OutOfStock(offer.product_id, wanted, seen)

    def withdraw(self, offer: Offer) -> StockChange | None:
        """The offer's units leave the product's level with it (the offer row keeps none)."""
        return self.set_level(offer, 0)

    def _level(self, offer_id: str) -> int:
        query = offers.select().with_only_columns(_O.quantity).where(_O.offer_id == offer_id)
        return self.connection.execute(query).scalar_one_or_none() or 0
