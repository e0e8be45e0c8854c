"""HTTP entrypoints for reviews: a buyer reviews a product once, its seller answers it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from transactional.catalog.moderation import CONTROL, MAX_TEXT
from transactional.catalog.review_service import MAX_REVIEWS_OFFSET, MAX_REVIEWS_PAGE
from transactional.common.text import BLANK
from transactional.gateway.identity import ActingUser, StoreDep
from transactional.gateway.serialize import to_json
from transactional.gateway.wire_types import WHOLE

router = APIRouter(prefix="/api/products/{product_id}/reviews", tags=["catalog"])

# Printable but for paragraphs, and not blank: the schema's form of moderation.text_problem
# (which adds the word list, no schema can say).
PRINTABLE_NOT_BLANK = rf"^[^{CONTROL}]*[^{BLANK}][^{CONTROL}]*$"
ReviewText = Annotated[str, Field(min_length=1, max_length=MAX_TEXT, pattern=PRINTABLE_NOT_BLANK)]


class NewReview(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rating: Annotated[int, Field(ge=1, le=5), WHOLE]
    text: ReviewText


class ReviewAnswer(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: ReviewText


@router.post("", status_code=201)
def post_review(product_id: str, body: NewReview, user: ActingUser, store: StoreDep) -> Any:
    """Only a customer with a paid order of the product (403 `not_a_buyer`), once (409
    `review_exists`); blank, overlong or abusive text is 422 naming the field."""
    review = store.reviews.post_review(user.user_id, product_id, body.rating, body.text)
    return to_json(review)


@router.get("")
def list_reviews(
    product_id: str,
    store: StoreDep,
    limit: Annotated[int, Query(ge=1, le=MAX_REVIEWS_PAGE)] = 20,
    offset: Annotated[int, Query(ge=0, le=MAX_REVIEWS_OFFSET)] = 0,
) -> Any:
    """Newest first; the product's average and count are on the product itself."""
    return {"items": to_json(store.reviews.reviews_of(product_id, limit, offset))}


@router.post("/{review_id}/answer", status_code=201)
def answer_review(
    product_id: str, review_id: str, body: ReviewAnswer, user: ActingUser, store: StoreDep
) -> Any:
    """The product's seller answers a review once (409 `answer_exists`)."""
    return to_json(store.reviews.answer_review(user.user_id, product_id, review_id, body.text))
