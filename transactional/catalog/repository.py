"""SQL repository of products: prices in integer cents; soft deletes, so orders keep them."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Float,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    bindparam,
    insert,
    select,
    update,
)

from transactional.catalog import categories as _category_table  # noqa: F401 (the FK's target)
from transactional.catalog.domain import Product
from transactional.common.clock import iso
from transactional.common.db import metadata
from transactional.common.driver_sql import DriverStatement
from transactional.common.money import from_cents, to_cents

products = Table(
    "products",
    metadata,
    Column("product_id", String(32), primary_key=True),
    Column("seller_id", String(32), nullable=False, index=True),
    Column("title", String(500), nullable=False),
    Column("description", Text, nullable=False),
    Column("brand", String(200), nullable=False),
    Column("category", String(200), nullable=False),
    # The leaf node of `category` in the tree (null: no category); the text stays as typed.
    Column("category_id", String(16), ForeignKey("categories.category_id"), index=True),
    Column("price_cents", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("rating", Float, nullable=False),
    Column("rating_count", Integer, nullable=False),
    # Customers' reviews, rolled up as they are posted: how many, and their stars summed.
    Column("review_count", Integer, nullable=False, server_default="0"),
    Column("review_stars", Integer, nullable=False, server_default="0"),
    Column("image_url", String(1000), nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("updated_at", String(40), nullable=False),
    Column("deleted_at", String(40)),
    # Variants (catalog.variants): a variant's parent and its option values (a JSON object of
    # name to value); a parent's option names in order (a JSON array). Null on standalone ones.
    Column("parent_id", String(32), ForeignKey("products.product_id"), index=True),
    Column("options", Text),
    Column("option_names", Text),
)


_INSERT = insert(products)
_BY_ID = select(products).where(products.c.product_id == bindparam("product_id"))
_MANY = select(products).where(products.c.product_id.in_(bindparam("ids", expanding=True)))
# One product, as a cart line or a one-line checkout reads it: on the driver's cursor.
_ONE = DriverStatement(_BY_ID)
_EXISTS = select(products.c.product_id).where(products.c.product_id == bindparam("product_id"))
_VARIANTS = (
    select(products)
    .where(products.c.parent_id == bindparam("parent_id"), products.c.deleted_at.is_(None))
    .order_by(products.c.product_id)
)


class ProductRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def add(self, product: Product) -> None:
        self.connection.execute(_INSERT, _row(product))

    def exists(self, product_id: str) -> bool:
        """True for deleted products too: their ids are never handed out again."""
        return self.connection.execute(_EXISTS, {"product_id": product_id}).first() is not None

    def get(self, product_id: str, lock: bool = False) -> Product | None:
        """`lock`: hold the row until the commit (PostgreSQL; SQLite writers take turns anyway),
        so that two requests adding variants to one parent see each other's."""
        if lock:
            query = _BY_ID.with_for_update()
            row = self.connection.execute(query, {"product_id": product_id}).first()
        else:
            row = _ONE.execute(self.connection, {"product_id": product_id}).first()
        return product_from_row(row) if row else None

    def get_many(self, product_ids: list[str]) -> dict[str, Product]:
        rows: Sequence[Any]
        if len(product_ids) == 1:
            rows = _ONE.execute(self.connection, {"product_id": product_ids[0]}).rows
        else:
            rows = self.connection.execute(_MANY, {"ids": product_ids}).all()
        return {row.product_id: product_from_row(row) for row in rows}

    def live_variants(self, parent_id: str) -> list[Product]:
        rows = self.connection.execute(_VARIANTS, {"parent_id": parent_id})
        return [product_from_row(row) for row in rows]

    def save(self, product: Product) -> None:
        row = _row(product)
        del row["product_id"], row["created_at"]
        self.connection.execute(
            update(products).where(products.c.product_id == product.product_id).values(**row)
        )

    def mark_deleted(self, product_id: str, now: datetime) -> None:
        self.connection.execute(
            update(products)
            .where(products.c.product_id == product_id)
            .values(deleted_at=iso(now), updated_at=iso(now))
        )


def _row(product: Product) -> dict[str, Any]:
    return {
        "product_id": product.product_id,
        "seller_id": product.seller_id,
        "title": product.title,
        "description": product.description,
        "brand": product.brand,
        "category": product.category,
        "price_cents": to_cents(product.price),
        "currency": product.currency,
        "rating": product.rating,
        "rating_count": product.rating_count,
        "review_count": product.review_count,
        "review_stars": product.review_stars,
        "category_id": product.category_id,
        "image_url": product.image_url,
        "parent_id": product.parent_id,
        "options": None if product.options is None else json.dumps(product.options),
        "option_names": json.dumps(list(product.option_names)) if product.option_names else None,
        "created_at": iso(product.created_at),
        "updated_at": iso(product.updated_at),
    }


def product_from_row(row: Any) -> Product:
    return Product(
        product_id=row.product_id,
        seller_id=row.seller_id,
        title=row.title,
        description=row.description,
        brand=row.brand,
        category=row.category,
        price=from_cents(row.price_cents),
        currency=row.currency,
        rating=row.rating,
        rating_count=row.rating_count,
        image_url=row.image_url,
        created_at=datetime.fromisoformat(row.created_at),
        updated_at=datetime.fromisoformat(row.updated_at),
        deleted=row.deleted_at is not None,
        review_count=row.review_count,
        review_stars=row.review_stars,
        category_id=row.category_id,
        parent_id=row.parent_id,
        options=None if row.options is None else json.loads(row.options),
        option_names=tuple(json.loads(row.option_names)) if row.option_names else (),
    )
