"""SQL offers: one row per seller and product, price in cents, the offer's own stock level;
a withdrawn offer is kept (orders name it) but marked deleted."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Connection,
    ForeignKey,
    Integer,
    String,
    Table,
    UniqueConstraint,
    bindparam,
    func,
    insert,
    select,
    update,
)

from transactional.catalog.offers import Offer, SellerRating
from transactional.catalog.repository import products
from transactional.common.clock import iso
from transactional.common.db import metadata
from transactional.common.driver_sql import DriverStatement
from transactional.common.money import from_cents, to_cents

offers = Table(
    "offers",
    metadata,
    Column("offer_id", String(40), primary_key=True),
    Column("product_id", String(32), ForeignKey("products.product_id"), nullable=False),
    Column("seller_id", String(32), nullable=False, index=True),
    Column("price_cents", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    # The offer's sellable units; the product's `stock` row is the sum over its live offers.
    Column("quantity", Integer, nullable=False),
    Column("shipping_days", Integer, nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("updated_at", String(40), nullable=False),
    Column("deleted_at", String(40)),
    CheckConstraint("quantity >= 0", name="offer_stock_never_negative"),
    UniqueConstraint("product_id", "seller_id", name="one_offer_per_seller"),
)

_O = offers.c
# Built once: the add and the checkout each run it, and a fresh statement costs its cache key.
_LIVE_OF_PRODUCTS = (
    select(offers)
    .where(_O.product_id.in_(bindparam("ids", expanding=True)), _O.deleted_at.is_(None))
    .order_by(_O.offer_id)
)
# One product's, as adding to the cart and a one-line checkout read them.
_LIVE_OF_PRODUCT = DriverStatement(
    select(offers)
    .where(_O.product_id == bindparam("product_id"), _O.deleted_at.is_(None))
    .order_by(_O.offer_id)
)


class OfferRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def add(self, offer: Offer) -> None:
        self.connection.execute(insert(offers), {"offer_id": offer.offer_id, **_row(offer)})

    def get(self, offer_id: str) -> Offer | None:
        row = self.connection.execute(select(offers).where(_O.offer_id == offer_id)).first()
        return offer_from_row(row) if row else None

    def of_seller_and_product(self, seller_id: str, product_id: str) -> Offer | None:
        query = select(offers).where(_O.seller_id == seller_id, _O.product_id == product_id)
        row = self.connection.execute(query).first()
        return offer_from_row(row) if row else None

    def live_of_products(self, product_ids: Iterable[str]) -> dict[str, list[Offer]]:
        """Each product's live offers, by offer id."""
        ids = list(product_ids)
        found: dict[str, list[Offer]] = defaultdict(list)
        if not ids:
            return found
        rows: Sequence[Any]
        if len(ids) == 1:
            rows = _LIVE_OF_PRODUCT.execute(self.connection, {"product_id": ids[0]}).rows
        else:
            rows = self.connection.execute(_LIVE_OF_PRODUCTS, {"ids": ids}).all()
        for row in rows:
            found[row.product_id].append(offer_from_row(row))
        return found

    def live_of_seller(self, seller_id: str, limit: int) -> list[Offer]:
        """The seller's live offers of products still listed."""
        listed = select(products.c.product_id).where(products.c.deleted_at.is_(None))
        query = (
            select(offers)
            .where(_O.seller_id == seller_id, _O.deleted_at.is_(None), _O.product_id.in_(listed))
            .order_by(_O.product_id)
            .limit(limit)
        )
        return [offer_from_row(row) for row in self.connection.execute(query)]

    def save_terms(self, offer: Offer) -> None:
        """Price, currency and shipping time; the stock moves only through OfferStock."""
        self.connection.execute(
            update(offers)
            .where(_O.offer_id == offer.offer_id)
            .values(
                price_cents=to_cents(offer.price),
                currency=offer.currency,
                shipping_days=offer.shipping_days,
                updated_at=iso(offer.updated_at),
                deleted_at=None,
            )
        )

    def mark_deleted(self, offer_id: str, now: datetime) -> None:
        self.connection.execute(
            update(offers)
            .where(_O.offer_id == offer_id)
            .values(deleted_at=iso(now), updated_at=iso(now))
        )

    def seller_ratings(self, seller_ids: Iterable[str]) -> dict[str, SellerRating]:
        return seller_ratings(self.connection, seller_ids)


def seller_ratings(connection: Connection, seller_ids: Iterable[str]) -> dict[str, SellerRating]:
    """Per seller: the average and count of the reviews customers wrote of products they bought
    from that seller (a review counts once however often its writer bought there)."""
    # Imported here: the orders and reviews tables import the catalog's, not the other way.
    from transactional.catalog.review_repository import reviews
    from transactional.orders.repository import order_items, orders

    ids = sorted(set(seller_ids))
    if not ids:
        return {}
    bought_from = (
        select(order_items.c.seller_id, reviews.c.review_id, reviews.c.rating)
        .join(orders, orders.c.order_id == order_items.c.order_id)
        .join(
            reviews,
            (reviews.c.product_id == order_items.c.product_id)
            & (reviews.c.customer_id == orders.c.customer_id),
        )
        .where(order_items.c.seller_id.in_(ids))
        .distinct()
        .subquery()
    )
    query = select(bought_from.c.seller_id, func.avg(bought_from.c.rating), func.count()).group_by(
        bought_from.c.seller_id
    )
    return {
        seller: SellerRating(round(float(stars), 2), int(count))
        for seller, stars, count in connection.execute(query)
    }


def _row(offer: Offer) -> dict[str, Any]:
    return {
        "product_id": offer.product_id,
        "seller_id": offer.seller_id,
        "price_cents": to_cents(offer.price),
        "currency": offer.currency,
        "quantity": offer.stock,
        "shipping_days": offer.shipping_days,
        "created_at": iso(offer.created_at),
        "updated_at": iso(offer.updated_at),
        "deleted_at": iso(offer.updated_at) if offer.deleted else None,
    }


def offer_from_row(row: Any) -> Offer:
    return Offer(
        offer_id=row.offer_id,
        product_id=row.product_id,
        seller_id=row.seller_id,
        price=from_cents(row.price_cents),
        currency=row.currency,
        stock=row.quantity,
        shipping_days=row.shipping_days,
        created_at=datetime.fromisoformat(row.created_at),
        updated_at=datetime.fromisoformat(row.updated_at),
        deleted=row.deleted_at is not None,
    )
