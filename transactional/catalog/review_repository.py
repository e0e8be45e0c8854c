"""SQL repository of reviews, and the product's running tally of them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    insert,
    select,
    update,
)

from transactional.catalog.repository import products
from transactional.catalog.reviews import Review
from transactional.common.clock import iso
from transactional.common.db import metadata

reviews = Table(
    "reviews",
    metadata,
    Column("review_id", String(40), primary_key=True),
    Column("product_id", String(32), ForeignKey("products.product_id"), nullable=False),
    Column("customer_id", String(32), nullable=False),
    Column("rating", Integer, nullable=False),
    Column("text", Text, nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("answer", Text),
    Column("answered_at", String(40)),
    # Two tabs posting at once: the second insert fails here, not as a second review.
    UniqueConstraint("product_id", "customer_id", name="one_review_per_buyer"),
)


class ReviewRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def add(self, review: Review) -> None:
        self.connection.execute(
            insert(reviews),
            {
                "review_id": review.review_id,
                "product_id": review.product_id,
                "customer_id": review.customer_id,
                "rating": review.rating,
                "text": review.text,
                "created_at": iso(review.created_at),
            },
        )
        # One statement: concurrent reviews of one product add up instead of overwriting.
        self.connection.execute(
            update(products)
            .where(products.c.product_id == review.product_id)
            .values(
                review_count=products.c.review_count + 1,
                review_stars=products.c.review_stars + review.rating,
            )
        )

    def get(self, review_id: str) -> Review | None:
        row = self.connection.execute(
            select(reviews).where(reviews.c.review_id == review_id)
        ).first()
        return _review(row) if row else None

    def by_customer(self, product_id: str, customer_id: str) -> Review | None:
        row = self.connection.execute(
            select(reviews).where(
                reviews.c.product_id == product_id, reviews.c.customer_id == customer_id
            )
        ).first()
        return _review(row) if row else None

    def answer(self, review_id: str, text: str, now: datetime) -> bool:
        """Sets the answer unless one is there (a concurrent answer wins once); True if set."""
        done = self.connection.execute(
            update(reviews)
            .where(reviews.c.review_id == review_id, reviews.c.answer.is_(None))
            .values(answer=text, answered_at=iso(now))
        )
        return done.rowcount > 0

    def of_product(self, product_id: str, limit: int, offset: int) -> list[Review]:
        query = (
            select(reviews)
            .where(reviews.c.product_id == product_id)
            .order_by(reviews.c.created_at.desc(), reviews.c.review_id)
            .limit(limit)
            .offset(offset)
        )
        return [_review(row) for row in self.connection.execute(query)]


def _review(row: Any) -> Review:
    return Review(
        review_id=row.review_id,
        product_id=row.product_id,
        customer_id=row.customer_id,
        rating=row.rating,
        text=row.text,
        created_at=datetime.fromisoformat(row.created_at),
        answer=row.answer,
        answered_at=datetime.fromisoformat(row.answered_at) if row.answered_at else None,
    )
