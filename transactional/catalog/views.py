"""Read side of the catalog: products as shoppers see them, with their stock, keyset-paginated.

`rating` and `rating_count` are the customers' reviews once a product has one, else the figures
the listing came with (`rating_source` says which)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, select

from transactional.catalog.repository import product_from_row, products
from transactional.inventory.repository import stock


@dataclass(frozen=True)
class ProductView:
    product_id: str
    seller_id: str
    title: str
    description: str
    brand: str
    category: str
    price: Decimal
    currency: str
    rating: float
    rating_count: int
    image_url: str
    stock: int
    created_at: datetime
    updated_at: datetime
    category_id: str | None
    rating_source: str  # "reviews" or "listing"

    @property
    def in_stock(self) -> bool:
        return self.stock > 0


@dataclass(frozen=True)
class ProductPage:
    items: list[ProductView]
    next_cursor: str | None  # the last product_id of this page; None on the last page


def _listing():  # type: ignore[no-untyped-def]
    return (
        select(products, stock.c.quantity.label("stock"))
        .select_from(products.outerjoin(stock, stock.c.product_id == products.c.product_id))
        .where(products.c.deleted_at.is_(None))
    )


def _view(row: Any) -> ProductView:
    p = product_from_row(row)
    rating, rating_count = p.shown_rating
    return ProductView(
        p.product_id,
        p.seller_id,
        p.title,
        p.description,
        p.brand,
        p.category,
        p.price,
        p.currency,
        rating,
        rating_count,
        p.image_url,
        row.stock or 0,
        p.created_at,
        p.updated_at,
        p.category_id,
        "reviews" if p.review_count else "listing",
    )


def product_view(connection: Connection, product_id: str) -> ProductView | None:
    row = connection.execute(_listing().where(products.c.product_id == product_id)).first()
    return _view(row) if row else None


def product_page(
    connection: Connection, cursor: str | None, limit: int, under: Any = None
) -> ProductPage:
    """`under`: only products filed in those category ids (a subquery of a subtree)."""
    query = _listing().order_by(products.c.product_id).limit(limit + 1)
    if under is not None:
        query = query.where(products.c.category_id.in_(under))
    if cursor:
        query = query.where(products.c.product_id > cursor)
    rows = connection.execute(query).all()
    items = [_view(row) for row in rows[:limit]]
    more = len(rows) > limit
    return ProductPage(items, items[-1].product_id if more and items else None)
