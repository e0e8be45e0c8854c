"""Recommendations as a shopping channel: lists shown and clicked, and the cart and order lines
that credit them (a real store over in-memory SQLite)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from contracts import events
from transactional.cart.domain import Cart, merge_lines
from transactional.orders.repository import OrderRepository
from transactional.payments.sandbox import APPROVE_CARD
from transactional.storefront.domain import (
    InvalidRecommendations,
    RecommendationNotFound,
    StorefrontErrorCode,
)
from transactional.storefront.repository import recommendation_lists

ITEMS = [
    {"product_id": "p-000003", "position": 1, "score": 0.9},
    {"product_id": "p-000001", "position": 2, "score": 1},
]


def recorded_lists(store) -> list[dict]:
    with store.engine.connect() as connection:
        return [dict(r) for r in connection.execute(select(recommendation_lists)).mappings()]


def test_a_feed_and_a_click_are_logged_with_the_model_that_made_the_list(
    store, customer, outbox_rows
):
    rec_id = store.storefront.record_recommendations(
        "sess-1", customer, "feed", None, "7", "sasrec", ITEMS, "models"
    )
    store.storefront.record_recommendation_click(rec_id, "sess-1", customer, "p-000001", 2)
    shown, clicked = outbox_rows(store)[-2:]
    assert rec_id.startswith("rec-") and len(rec_id) <= 40
    assert (shown["type"], shown["aggregate_id"]) == (events.RECOMMENDATIONS_SHOWN, rec_id)
    assert shown["payload"] == {
        "recommendation_id": rec_id,
        "session_id": "sess-1",
        "customer_id": customer,
        "surface": "feed",
        "anchor_product_id": None,
        "recommender": "7",
        "strategy": "sasrec",
        "arm": "models",
        "items": [ITEMS[0], {**ITEMS[1], "score": 1.0}],
    }
    assert (clicked["type"], clicked["aggregate_id"]) == (events.RECOMMENDATION_CLICKED, rec_id)
    assert clicked["payload"] == {
        "recommendation_id": rec_id,
        "session_id": "sess-1",
        "customer_id": customer,
        "product_id": "p-000001",
        "position": 2,
    }
    for row in (shown, clicked):
        assert events.unknown_keys(row["type"], row["payload"]) == []
    (listed,) = recorded_lists(store)
    assert listed == {
        "recommendation_id": rec_id,
        "session_id": "sess-1",
        "customer_id": customer,
        "surface": "feed",
        "anchor_product_id": None,
        "recommender": "7",
        "strategy": "sasrec",
        "item_count": 2,
        "shown_at": "2024-03-01T09:00:00+00:00",
    }


def test_similar_items_name_their_product_page_and_guests_are_welcome(store, outbox_rows):
    rec_id = store.storefront.record_recommendations(
        "sess-2", None, "similar", "p-000009", "popularity", "also_bought", []
    )
    payload = outbox_rows(store)[-1]["payload"]
    assert (payload["anchor_product_id"], payload["customer_id"], payload["items"]) == (
        "p-000009",
        None,
        [],
    )
    assert recorded_lists(store)[0]["recommendation_id"] == rec_id


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"surface": "homepage"}, "surface"),
        ({"surface": None}, "surface"),
        ({"surface": "similar"}, "anchor_product_id"),  # similar to what?
        ({"surface": "similar", "anchor_product_id": ""}, "anchor_product_id"),
        ({"anchor_product_id": "p-" + "9" * 40}, "anchor_product_id"),
        ({"recommender": ""}, "recommender"),
        ({"recommender": None}, "recommender"),
        ({"recommender": "v" * 65}, "recommender"),
        ({"strategy": ""}, "strategy"),
        ({"session_id": ""}, "session_id"),
        ({"customer_id": 42}, "customer_id"),
        ({"items": [{"product_id": "p-1", "position": 1}]}, "items.0"),
        ({"items": ["p-1"]}, "items.0"),
        ({"items": [{"product_id": "", "position": 1, "score": 1.0}]}, "items.0.product_id"),
        ({"items": [{"product_id": "p-1", "position": 0, "score": 1.0}]}, "items.0.position"),
        ({"items": [{"product_id": "p-1", "position": True, "score": 1.0}]}, "items.0.position"),
        ({"items": [{"product_id": "p-1", "position": 1, "score": "high"}]}, "items.0.score"),
        ({"items": [ITEMS[0], {**ITEMS[1], "position": 1}]}, "items.1.position"),
        ({"items": [{**ITEMS[0], "team": "7"}]}, "items.0.team"),  # only searches interleave
        ({"arm": "treatment"}, "arm"),  # the arms are control and models
    ],
)
def test_bad_lists_name_the_field_and_write_nothing(store, count, change, field):
    arguments = {
        "session_id": "sess-1",
        "customer_id": None,
        "surface": "feed",
        "anchor_product_id": None,
        "recommender": "7",
        "strategy": "sasrec",
        "items": ITEMS,
        **change,
    }
    with pytest.raises(InvalidRecommendations) as caught:
        store.storefront.record_recommendations(**arguments)
    assert (caught.value.code, caught.value.field) == (
        StorefrontErrorCode.INVALID_RECOMMENDATIONS,
        field,
    )
    assert count(store, "outbox") == 0 and count(store, "recommendation_lists") == 0


def test_a_click_on_an_unknown_list_or_a_bad_position_is_refused(store, count):
    with pytest.raises(RecommendationNotFound) as missing:
        store.storefront.record_recommendation_click("rec-nope", "s", None, "p-1", 1)
    assert (missing.value.code, missing.value.field) == (
        StorefrontErrorCode.RECOMMENDATION_NOT_FOUND,
        "recommendation_id",
    )
    rec_id = store.storefront.record_recommendations("s", None, "feed", None, "7", "sasrec", ITEMS)
    before = count(store, "outbox")
    for beyond_the_list in (0, 3):
        with pytest.raises(InvalidRecommendations) as caught:
            store.storefront.record_recommendation_click(rec_id, "s", None, "p-1", beyond_the_list)
        assert caught.value.field == "position"
    with pytest.raises(InvalidRecommendations) as caught:
        store.storefront.record_recommendation_click(rec_id, "s", None, "", 1)
    assert caught.value.field == "product_id"
    assert count(store, "outbox") == before


def test_cart_and_order_lines_credit_the_list_they_came_from(
    store, customer, make_product, outbox_rows
):
    shoe, sock, hat = make_product(), make_product(price="4.50"), make_product(price="9.00")
    store.cart.add_item(customer, shoe, 1, recommendation_id="rec-a")
    store.cart.add_item(customer, shoe, 1)  # re-added from elsewhere: the list stays credited
    store.cart.add_item(customer, sock, 2, search_id="srch-b")
    store.cart.add_item(customer, sock, 1, recommendation_id="rec-c")  # found both ways
    store.cart.add_item(customer, hat, 1)
    adds = [r["payload"] for r in outbox_rows(store) if r["type"] == events.CART_ITEM_ADDED]
    assert [(a["search_id"], a["recommendation_id"]) for a in adds] == [
        (None, "rec-a"), (None, None), ("srch-b", None), (None, "rec-c"), (None, None),
    ]  # fmt: skip
    assert all(events.unknown_keys(events.CART_ITEM_ADDED, a) == [] for a in adds)

    order = store.orders.checkout(customer, APPROVE_CARD)

    (placed,) = [r["payload"] for r in outbox_rows(store) if r["type"] == events.ORDER_PLACED]
    credited = {i["product_id"]: (i["search_id"], i["recommendation_id"]) for i in placed["items"]}
    assert credited == {shoe: (None, "rec-a"), sock: ("srch-b", "rec-c"), hat: (None, None)}
    assert events.unknown_keys(events.ORDER_PLACED, placed) == []
    with store.engine.connect() as connection:  # re-read from the order lines themselves
        lines = OrderRepository(connection).get(order.order_id).lines  # type: ignore[union-attr]
    assert {li.product_id: (li.search_id, li.recommendation_id) for li in lines} == credited


def test_a_guest_line_keeps_its_list_through_the_merge_at_login(store, customer, make_product):
    shoe = make_product()
    guest = store.cart.add_guest_item(None, shoe, 1, recommendation_id="rec-g").cart_id
    assert guest is not None
    store.cart.merge_guest(guest, customer)
    store.orders.checkout(customer, APPROVE_CARD)
    with store.engine.connect() as connection:
        (order,) = OrderRepository(connection).of_customer(customer)
    assert [li.recommendation_id for li in order.lines] == ["rec-g"]


def test_merge_keeps_the_customers_credit_and_fills_in_the_guests():
    mine, guest = Cart("cart-c-1", "c-1"), Cart("g-1", None)
    mine.add("p-1", 1, Decimal("1"), "srch-1", None)
    guest.add("p-1", 1, Decimal("1"), None, "rec-1")
    guest.add("p-2", 1, Decimal("1"), None, "rec-2")
    merged, _ = merge_lines(mine, guest, {"p-1": 9, "p-2": 9})
    assert [(li.product_id, li.search_id, li.recommendation_id) for li in merged] == [
        ("p-1", "srch-1", "rec-1"),
        ("p-2", None, "rec-2"),
    ]
