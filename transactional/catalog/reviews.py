"""Customer reviews: who may write one, what it may say, and the seller's one answer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from numbers import Integral
from typing import Any

from transactional.catalog.moderation import text_problem
from transactional.common.clock import iso
from transactional.common.errors import Conflict, Forbidden, Invalid, NotFound

STARS = range(1, 6)


class ReviewErrorCode(StrEnum):
    NOT_A_BUYER = "not_a_buyer"
    REVIEW_EXISTS = "review_exists"
    REVIEW_NOT_FOUND = "review_not_found"
    ANSWER_EXISTS = "answer_exists"
    INVALID_REVIEW = "invalid_review"
    ABUSIVE_TEXT = "abusive_text"


class NotABuyer(Forbidden):
    def __init__(self, product_id: str) -> None:
        super().__init__(
            ReviewErrorCode.NOT_A_BUYER,
            f"only a customer with a paid order of {product_id!r} may review it",
            "product_id",
        )


class ReviewExists(Conflict):
    def __init__(self, product_id: str) -> None:
        super().__init__(
            ReviewErrorCode.REVIEW_EXISTS, f"you have reviewed {product_id!r} already", "product_id"
        )


class ReviewNotFound(NotFound):
    def __init__(self, review_id: str) -> None:
        super().__init__(ReviewErrorCode.REVIEW_NOT_FOUND, f"no review {review_id!r}", "review_id")


class AnswerExists(Conflict):
    def __init__(self, review_id: str) -> None:
        super().__init__(
            ReviewErrorCode.ANSWER_EXISTS, f"review {review_id!r} has its answer already", "answer"
        )


class InvalidReview(Invalid):
    def __init__(self, message: str, field: str) -> None:
        super().__init__(ReviewErrorCode.INVALID_REVIEW, message, field)


class AbusiveText(Invalid):
    def __init__(self, message: str, field: str) -> None:
        super().__init__(ReviewErrorCode.ABUSIVE_TEXT, message, field)


@dataclass(frozen=True)
class Review:
    review_id: str
    product_id: str
    customer_id: str
    rating: int
    text: str
    created_at: datetime
    answer: str | None = None
    answered_at: datetime | None = None

    def posted_payload(self) -> dict[str, Any]:
        """The ReviewPosted payload (keys fixed by events.py)."""
        return {
            "review_id": self.review_id,
            "product_id": self.product_id,
            "customer_id": self.customer_id,
            "rating": self.rating,
            "text": self.text,
            "created_at": iso(self.created_at),
        }

    def answered_payload(self, seller_id: str) -> dict[str, Any]:
        """The ReviewAnswered payload (keys fixed by events.py)."""
        return {
            "review_id": self.review_id,
            "product_id": self.product_id,
            "seller_id": seller_id,
            "answer": self.answer,
            "answered_at": iso(self.answered_at) if self.answered_at else None,
        }


def checked_rating(rating: Any) -> int:
    if isinstance(rating, bool) or not isinstance(rating, Integral) or int(rating) not in STARS:
        raise InvalidReview("rating must be a whole number of stars from 1 to 5", "rating")
    return int(rating)


def checked_text(text: Any, field: str) -> str:
    """The text, trimmed; raises naming `field` when it is blank, too long, has control
    characters or insults."""
    if not isinstance(text, str):
        raise InvalidReview(f"{field} must be text", field)
    problem = text_problem(text)
    if problem is not None:
        kind, why = problem
        error = AbusiveText if kind == "abusive" else InvalidReview
        raise error(f"{field} {why}", field)
    return text.strip()
