"""Reviews over HTTP: bad input is a 4xx naming the field, and nothing is written."""

from __future__ import annotations

import pytest

from tests.unit.transactional.test_tx_api import (  # noqa: F401  (fixtures)
    api,
    as_user,
    customer_id,
    error_of,
    product_id,
    seller_id,
    sign_up,
)
from transactional.payments.sandbox import APPROVE_CARD


@pytest.fixture
def buyer(api, product_id, customer_id) -> dict[str, str]:  # noqa: F811
    """The customer's headers, once they have paid for the product."""
    headers = as_user(customer_id)
    api.post("/api/cart/items", json={"product_id": product_id}, headers=headers)
    order = api.post("/api/orders", json={"card_number": APPROVE_CARD}, headers=headers)
    assert order.json()["status"] == "paid", order.text
    return headers


def test_a_buyer_reviews_the_seller_answers_anyone_reads(api, product_id, buyer, seller_id):  # noqa: F811
    url = f"/api/products/{product_id}/reviews"
    posted = api.post(url, json={"rating": 5, "text": "Bright and warm"}, headers=buyer)
    assert posted.status_code == 201, posted.text
    review = posted.json()
    assert (review["rating"], review["answer"]) == (5, None)
    product = api.get(f"/api/products/{product_id}").json()
    assert (product["rating"], product["rating_count"], product["rating_source"]) == (
        5.0,
        1,
        "reviews",
    )
    again = api.post(url, json={"rating": 1, "text": "Second thoughts"}, headers=buyer)
    assert again.status_code == 409 and error_of(again)["code"] == "review_exists"
    answer_url = f"{url}/{review['review_id']}/answer"
    answered = api.post(answer_url, json={"text": "Thank you!"}, headers=as_user(seller_id))
    assert answered.status_code == 201 and answered.json()["answer"] == "Thank you!"
    twice = api.post(answer_url, json={"text": "Again"}, headers=as_user(seller_id))
    assert twice.status_code == 409 and error_of(twice)["code"] == "answer_exists"
    listed = api.get(url)  # anonymous
    assert listed.status_code == 200
    assert [r["answer"] for r in listed.json()["items"]] == ["Thank you!"]


def test_someone_who_did_not_buy_is_403(api, product_id):  # noqa: F811
    other = as_user(sign_up(api, "Nob", "nob@x.io")[1]["access_token"])
    refused = api.post(
        f"/api/products/{product_id}/reviews", json={"rating": 4, "text": "Looks nice"},
        headers=other,
    )  # fmt: skip
    assert refused.status_code == 403
    assert error_of(refused) == {
        "code": "not_a_buyer",
        "message": refused.json()["error"]["message"],
        "field": "product_id",
    }


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        ({"rating": 4, "text": "   "}, 422, "invalid_request", "text"),
        ({"rating": 4, "text": ""}, 422, "invalid_request", "text"),
        ({"rating": 4, "text": "x" * 5001}, 422, "invalid_request", "text"),
        ({"rating": 4, "text": "bad\x00byte"}, 422, "invalid_request", "text"),
        ({"rating": 6, "text": "ok"}, 422, "invalid_request", "rating"),
        ({"rating": 4.5, "text": "ok"}, 422, "invalid_request", "rating"),
        ({"rating": "5", "text": "ok"}, 422, "invalid_request", "rating"),
        ({"text": "ok"}, 422, "invalid_request", "rating"),
        ({"rating": 4, "text": "ok", "verified": True}, 422, "invalid_request", "verified"),
        ({"rating": 4, "text": "Total bullshit, avoid"}, 422, "abusive_text", "text"),
    ],
)
def test_bad_reviews_are_422_naming_the_field(api, product_id, buyer, body, status, code, field):  # noqa: F811
    url = f"/api/products/{product_id}/reviews"
    refused = api.post(url, json=body, headers=buyer)
    assert refused.status_code == status, refused.text
    error = error_of(refused)
    assert (error["code"], error["field"]) == (code, field)
    assert api.get(url).json()["items"] == []


def test_unknown_product_and_review_are_404(api, product_id, buyer, seller_id):  # noqa: F811
    missing = api.post(
        "/api/products/p-999999/reviews", json={"rating": 4, "text": "ok"}, headers=buyer
    )
    assert missing.status_code == 404 and error_of(missing)["code"] == "product_not_found"
    nothing = api.post(
        f"/api/products/{product_id}/reviews/r-nothing/answer", json={"text": "Hi"},
        headers=as_user(seller_id),
    )  # fmt: skip
    assert nothing.status_code == 404 and error_of(nothing)["field"] == "review_id"
    assert api.get("/api/products/p-999999/reviews").status_code == 404
