"""Reviews: only buyers, once each; the seller's one answer; the rating roll-up and its events."""

from __future__ import annotations

import pytest

from contracts import events
from transactional.catalog.domain import CatalogErrorCode, ProductNotFound
from transactional.catalog.reviews import ReviewErrorCode
from transactional.common.errors import DomainError
from transactional.payments.sandbox import APPROVE_CARD, DECLINE_CARD


@pytest.fixture
def buy(store):
    def bought(customer_id: str, product_id: str, card: str = APPROVE_CARD) -> str:
        store.cart.add_item(customer_id, product_id, 1)
        return store.orders.checkout(customer_id, card).status

    return bought


def refusal(call) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call()
    return caught.value


def test_a_buyer_reviews_once_and_the_rating_follows_the_reviews(
    store, customer, make_product, buy, outbox_rows
):
    product = make_product(rating=4.9, rating_count=1200)
    assert buy(customer, product) == "paid"
    before = len(outbox_rows(store))
    review = store.reviews.post_review(customer, product, 2, "  Soles wore out in a week. ")
    assert (review.rating, review.text, review.answer) == (2, "Soles wore out in a week.", None)
    rows = outbox_rows(store)[before:]
    assert [row["type"] for row in rows] == [events.REVIEW_POSTED, events.PRODUCT_UPDATED]
    posted, updated = rows[0]["payload"], rows[1]["payload"]
    assert posted["review_id"] == review.review_id and posted["rating"] == 2
    assert events.unknown_keys(events.REVIEW_POSTED, posted) == []
    assert events.unknown_keys(events.PRODUCT_UPDATED, updated) == []
    # The listing's typed 4.9 from 1,200 gives way to the customers' own figures.
    assert (updated["rating"], updated["rating_count"]) == (2.0, 1)
    view = store.catalog.get_product(product)
    assert (view.rating, view.rating_count, view.rating_source) == (2.0, 1, "reviews")
    again = refusal(lambda: store.reviews.post_review(customer, product, 5, "Changed my mind"))
    assert (again.code, again.field) == (ReviewErrorCode.REVIEW_EXISTS, "product_id")
    assert len(outbox_rows(store)) == before + 2
    assert store.reviews.reviews_of(product) == [review]


def test_the_average_counts_every_buyer(store, customer, make_product, buy):
    product = make_product()
    other = store.users.register("Dee Buyer", "dee@example.com")
    for shopper, stars in ((customer, 5), (other, 2)):
        buy(shopper, product)
        store.reviews.post_review(shopper, product, stars, "fine")
    view = store.catalog.get_product(product)
    assert (view.rating, view.rating_count) == (3.5, 2)


def test_without_reviews_the_listing_figures_stand(store, make_product):
    view = store.catalog.get_product(make_product(rating=4.2, rating_count=17))
    assert (view.rating, view.rating_count, view.rating_source) == (4.2, 17, "listing")


def test_only_a_paid_order_makes_a_buyer(store, customer, make_product, buy, count):
    product, other = make_product(), make_product(title="Other Shoe")
    buy(customer, other)
    assert buy(customer, product, DECLINE_CARD) == "cancelled"
    before = count(store, "outbox")
    refused = refusal(lambda: store.reviews.post_review(customer, product, 4, "Nice"))
    assert (refused.code, refused.field) == (ReviewErrorCode.NOT_A_BUYER, "product_id")
    assert count(store, "outbox") == before and count(store, "reviews") == 0
    missing = refusal(lambda: store.reviews.post_review(customer, "p-999999", 4, "Nice"))
    assert isinstance(missing, ProductNotFound)


@pytest.mark.parametrize(
    ("rating", "text", "code", "field"),
    [
        (0, "ok", ReviewErrorCode.INVALID_REVIEW, "rating"),
        (6, "ok", ReviewErrorCode.INVALID_REVIEW, "rating"),
        (True, "ok", ReviewErrorCode.INVALID_REVIEW, "rating"),
        (4, "   \n ", ReviewErrorCode.INVALID_REVIEW, "text"),
        (4, "x" * 5001, ReviewErrorCode.INVALID_REVIEW, "text"),
        (4, "nice\x07shoe", ReviewErrorCode.INVALID_REVIEW, "text"),
        (4, "What a piece of SHIT.", ReviewErrorCode.ABUSIVE_TEXT, "text"),
    ],
)
def test_bad_reviews_name_the_field_and_write_nothing(
    store, customer, make_product, buy, count, rating, text, code, field
):
    product = make_product()
    buy(customer, product)
    before = count(store, "outbox")
    refused = refusal(lambda: store.reviews.post_review(customer, product, rating, text))
    assert (refused.code, refused.field) == (code, field)
    assert count(store, "outbox") == before and count(store, "reviews") == 0


def test_paragraphs_and_harmless_lookalikes_pass(store, customer, make_product, buy):
    product = make_product()
    buy(customer, product)
    text = "Grip on wet rock: great.\nSizing: runs small (Scunthorpe shop)."
    assert store.reviews.post_review(customer, product, 4, text).text == text


def test_the_seller_answers_once(store, seller, customer, make_product, buy, outbox_rows):
    product = make_product()
    buy(customer, product)
    review = store.reviews.post_review(customer, product, 3, "OK")
    rival = store.users.register("Rita Rival", "rita@example.com", "seller")
    not_theirs = refusal(lambda: store.reviews.answer_review(rival, product, review.review_id, "x"))
    assert not_theirs.code == CatalogErrorCode.NOT_PRODUCT_OWNER
    elsewhere = make_product(title="Another")
    wrong = refusal(lambda: store.reviews.answer_review(seller, elsewhere, review.review_id, "x"))
    assert (wrong.code, wrong.field) == (ReviewErrorCode.REVIEW_NOT_FOUND, "review_id")
    rude = refusal(lambda: store.reviews.answer_review(seller, product, review.review_id, "bitch"))
    assert (rude.code, rude.field) == (ReviewErrorCode.ABUSIVE_TEXT, "answer")
    before = len(outbox_rows(store))
    answered = store.reviews.answer_review(seller, product, review.review_id, "Sorry to hear it")
    assert answered.answer == "Sorry to hear it" and answered.answered_at is not None
    rows = outbox_rows(store)[before:]
    assert [row["type"] for row in rows] == [events.REVIEW_ANSWERED]
    assert rows[0]["payload"]["seller_id"] == seller
    assert events.unknown_keys(events.REVIEW_ANSWERED, rows[0]["payload"]) == []
    twice = refusal(lambda: store.reviews.answer_review(seller, product, review.review_id, "Hi"))
    assert (twice.code, twice.field) == (ReviewErrorCode.ANSWER_EXISTS, "answer")
    assert store.reviews.get_review(review.review_id) == answered
