"""Review handlers: a buyer rates and reviews a product once, its seller answers once, anyone reads.

Each review moves the product's shown rating, so the ProductUpdated with the new figures commits
with the review: search and the lake learn the new rating from the event they already follow.
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy.exc import IntegrityError

from contracts import events
from transactional.catalog.domain import Product, ProductNotFound
from transactional.catalog.repository import ProductRepository
from transactional.catalog.review_repository import ReviewRepository
from transactional.catalog.reviews import (
    AnswerExists,
    InvalidReview,
    NotABuyer,
    Review,
    ReviewExists,
    ReviewNotFound,
    checked_rating,
    checked_text,
)
from transactional.catalog.views import shown_snapshot
from transactional.common.ids import hex_id
from transactional.common.uow import UnitOfWork
from transactional.orders.repository import OrderRepository

MAX_REVIEWS_PAGE = 100
MAX_REVIEWS_OFFSET = 10_000


class ReviewService:
    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow

    def post_review(self, customer_id: str, product_id: str, rating: int, text: str) -> Review:
        """Raises NotABuyer without a paid order of the product, ReviewExists the second time."""
        rating, text = checked_rating(rating), checked_text(text, "text")
        with self.uow.begin() as tx:
            products = ProductRepository(tx.connection)
            _live(products, product_id)
            if not OrderRepository(tx.connection).has_bought(customer_id, product_id):
                raise NotABuyer(product_id)
            reviews = ReviewRepository(tx.connection)
            if reviews.by_customer(product_id, customer_id) is not None:
                raise ReviewExists(product_id)
            review = Review(hex_id("r"), product_id, customer_id, rating, text, tx.now)
            try:
                reviews.add(review)
            except IntegrityError:
                raise ReviewExists(product_id) from None  # the same buyer's concurrent review
            tx.record(events.REVIEW_POSTED, product_id, review.posted_payload())
            rated = _live(products, product_id)
            # At the buy box's price, like every ProductUpdated: a review moves only the rating.
            tx.record(events.PRODUCT_UPDATED, product_id, shown_snapshot(tx, rated))
        return review

    def answer_review(self, seller_id: str, product_id: str, review_id: str, text: str) -> Review:
        """Only the product's seller, once per review."""
        text = checked_text(text, "answer")
        with self.uow.begin() as tx:
            _live(ProductRepository(tx.connection), product_id).ensure_owned_by(seller_id)
            reviews = ReviewRepository(tx.connection)
            review = reviews.get(review_id)
            if review is None or review.product_id != product_id:
                raise ReviewNotFound(review_id)
            if not reviews.answer(review_id, text, tx.now):
                raise AnswerExists(review_id)
            answered = replace(review, answer=text, answered_at=tx.now)
            tx.record(events.REVIEW_ANSWERED, product_id, answered.answered_payload(seller_id))
        return answered

    def get_review(self, review_id: str) -> Review:
        with self.uow.read() as connection:
            review = ReviewRepository(connection).get(review_id)
        if review is None:
            raise ReviewNotFound(review_id)
        return review

    def reviews_of(self, product_id: str, limit: int = 20, offset: int = 0) -> list[Review]:
        """Newest first."""
        if isinstance(limit, bool) or not 1 <= limit <= MAX_REVIEWS_PAGE:
            raise InvalidReview(f"limit must be between 1 and {MAX_REVIEWS_PAGE}", "limit")
        if isinstance(offset, bool) or not 0 <= offset <= MAX_REVIEWS_OFFSET:
            raise InvalidReview(f"offset must be between 0 and {MAX_REVIEWS_OFFSET}", "offset")
        with self.uow.read() as connection:
            _live(ProductRepository(connection), product_id)
            return ReviewRepository(connection).of_product(product_id, limit, offset)


def _live(products: ProductRepository, product_id: str) -> Product:
    product = products.get(product_id)
    if product is None or product.deleted:
        raise ProductNotFound(product_id)
    return product
