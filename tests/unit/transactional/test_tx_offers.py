"""Offers: the buy box, each seller's own offers only, orders split into sellers' parts and
payouts; also run on SQLite files and PostgreSQL by tests/integration/transactional."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from contracts import events
from tests.unit.transactional.test_tx_api import api, as_user, sign_up  # noqa: F401 (fixture)
from transactional.catalog.domain import ProductNotFound
from transactional.catalog.offers import (
    NotOfferSeller,
    Offer,
    OfferErrorCode,
    OfferExists,
    OfferNotFound,
    OfferUnavailable,
    SellerRating,
    buy_box_order,
)
from transactional.orders.payouts import share_refund
from transactional.payments.sandbox import APPROVE_CARD

WHEN = datetime(2024, 3, 1, tzinfo=UTC)


def offer(offer_id: str, price: str, stock: int, days: int = 3, seller: str = "s") -> Offer:
    return Offer(offer_id, "p-1", seller + offer_id, Decimal(price), "USD", stock, days, WHEN, WHEN)


def test_buy_box_rule_in_stock_then_price_then_shipping_then_rating_then_offer_id():
    sold_out_cheapest = offer("a", "5.00", 0)
    dear = offer("b", "9.00", 4)
    cheap_slow = offer("c", "7.00", 4, days=6)
    cheap_fast = offer("d", "7.00", 4, days=2)
    cheap_fast_rated = offer("e", "7.00", 4, days=2)
    cheap_fast_twin = offer("f", "7.00", 4, days=2)
    ratings = {cheap_fast_rated.seller_id: SellerRating(4.5, 2), "sd": SellerRating(3.0, 9)}
    ranked = buy_box_order(
        [dear, cheap_fast_twin, sold_out_cheapest, cheap_slow, cheap_fast, cheap_fast_rated],
        ratings,
    )
    assert [o.offer_id for o in ranked] == ["e", "d", "f", "c", "b", "a"]
    # Unrated ties fall to the lower offer id, whatever order the rows came in.
    assert buy_box_order([cheap_fast_twin, cheap_fast])[0].offer_id == "d"
    withdrawn = Offer("g", "p-1", "sg", Decimal("1.00"), "USD", 9, 1, WHEN, WHEN, deleted=True)
    assert buy_box_order([withdrawn, dear]) == [dear]


@pytest.fixture
def rival(store) -> str:
    return store.users.register("Rita Rival", "rita@example.com", "seller")


@pytest.fixture
def third(store) -> str:
    return store.users.register("Theo Third", "theo@example.com", "seller")


def test_product_reads_show_the_buy_box_and_count_the_other_offers(
    store, make_product, rival, third, outbox_rows
):
    product_id = make_product(stock=5, price="20.00")
    alone = store.catalog.get_product(product_id)
    assert (alone.price, alone.stock, alone.other_offers) == (Decimal("20.00"), 5, 0)
    assert alone.offer_id == f"of-{product_id}"
    slow = store.offers.create_offer(rival, product_id, Decimal("18.00"), 3, shipping_days=5)
    fast = store.offers.create_offer(third, product_id, Decimal("18.00"), 2, shipping_days=2)
    view = store.catalog.get_product(product_id)
    assert (view.price, view.stock, view.offer_id) == (Decimal("18.00"), 2, fast.offer_id)
    assert (view.offer_seller_id, view.other_offers, view.seller_id) == (third, 2, alone.seller_id)
    listed = store.offers.offers_of_product(product_id)
    assert [(o.offer_id, o.buy_box) for o in listed] == [
        (fast.offer_id, True), (slow.offer_id, False), (f"of-{product_id}", False),
    ]  # fmt: skip
    # Sold out, the fast offer drops behind every offer in stock.
    store.offers.change_offer(fast.offer_id, third, stock=0)
    assert store.catalog.get_product(product_id).offer_id == slow.offer_id
    # Search hears of each move of the shown price: 20.00, then 18.00 (listing's price kept).
    shown = [
        r["payload"]["price"]
        for r in outbox_rows(store)
        if r["type"] in (events.PRODUCT_CREATED, events.PRODUCT_UPDATED)
    ]
    assert shown == ["20.00", "18.00"]
    created = [r["payload"] for r in outbox_rows(store) if r["type"] == events.OFFER_CREATED]
    assert [p["seller_id"] for p in created] == [rival, third]
    assert all(events.unknown_keys(events.OFFER_CREATED, p) == [] for p in created)
    # The product's stock is every offer's units: search's in_stock stays true.
    assert store.inventory.stock_level(product_id) == 5 + 3 + 0


def test_a_seller_changes_only_its_own_offers(store, make_product, seller, rival, count):
    product_id = make_product(stock=5, price="20.00")
    theirs = store.offers.create_offer(rival, product_id, Decimal("19.00"), 4)
    before = count(store, "outbox")
    with pytest.raises(NotOfferSeller) as refused:
        store.offers.change_offer(theirs.offer_id, seller, price=Decimal("1.00"))
    assert (refused.value.code, refused.value.field) == (
        OfferErrorCode.NOT_OFFER_SELLER,
        "offer_id",
    )
    with pytest.raises(NotOfferSeller):
        store.offers.delete_offer(theirs.offer_id, seller)
    with pytest.raises(NotOfferSeller):
        store.offers.change_offer(f"of-{product_id}", rival, stock=0)
    assert count(store, "outbox") == before
    assert [o.price for o in store.offers.offers_of_seller(rival)] == [Decimal("19.00")]
    with pytest.raises(OfferExists):
        store.offers.create_offer(rival, product_id, Decimal("18.00"))
    store.offers.delete_offer(theirs.offer_id, rival)
    assert store.offers.offers_of_seller(rival) == []
    assert store.inventory.stock_level(product_id) == 5  # the withdrawn units left with it
    with pytest.raises(OfferNotFound):
        store.offers.change_offer(theirs.offer_id, rival, price=Decimal("2.00"))


def test_offers_over_http_name_their_codes_and_fields(api, store):  # noqa: F811 (fixture)
    _, mine = sign_up(api, "Owner", "owner@example.com", "seller")
    _, other = sign_up(api, "Other", "other@example.com", "seller")
    owner, rival = as_user(mine["access_token"]), as_user(other["access_token"])
    made = api.post("/api/products", json={"title": "Kettle", "price": "30.00",
                                           "initial_stock": 2}, headers=owner)  # fmt: skip
    product_id = made.json()["product_id"]
    offered = api.post(
        f"/api/products/{product_id}/offers",
        json={"price": "28.00", "stock": 1, "shipping_days": 4},
        headers=rival,
    )
    assert offered.status_code == 201, offered.text
    assert offered.json()["buy_box"] is True
    theirs = offered.json()["offer_id"]
    refused = api.patch(f"/api/offers/{theirs}", json={"price": "1.00"}, headers=owner)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "not_offer_seller"
    assert refused.json()["error"]["field"] == "offer_id"
    bad = api.patch(f"/api/offers/{theirs}", json={"shipping_days": -1}, headers=rival)
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "shipping_days"
    missing = api.delete("/api/offers/of-nothing", headers=rival)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "offer_not_found"
    listed = api.get(f"/api/products/{product_id}/offers").json()["items"]
    assert [o["price"] for o in listed] == ["28.00", "30.00"]
    product = api.get(f"/api/products/{product_id}").json()
    assert (product["price"], product["stock"], product["other_offers"]) == ("28.00", 1, 1)


def test_two_sellers_in_one_order_get_their_parts_and_payouts(
    store, make_product, seller, rival, customer
):
    kettle = make_product(stock=5, price="30.00", title="Kettle")
    mug = make_product(stock=5, price="10.00", title="Mug")
    cheaper = store.offers.create_offer(rival, mug, Decimal("8.00"), 5)
    store.cart.add_item(customer, kettle, 1)
    store.cart.add_item(customer, mug, 2)  # the buy box: the rival's 8.00
    order = store.orders.checkout(customer, APPROVE_CARD)
    assert order.status == "paid" and order.total == Decimal("46.00")
    assert {(i.product_id, i.seller_id, i.offer_id) for i in order.items} == {
        (kettle, seller, f"of-{kettle}"), (mug, rival, cheaper.offer_id),
    }  # fmt: skip
    assert [(p.seller_id, p.subtotal) for p in order.parts or []] == sorted(
        [(seller, Decimal("30.00")), (rival, Decimal("16.00"))]
    )
    seen_by_rival = store.orders.get_for(order.order_id, store.users.get(rival))
    assert [i.product_id for i in seen_by_rival.items] == [mug]
    assert seen_by_rival.total == Decimal("16.00")
    owed = {p.seller_id: p.owed for p in store.orders.payouts(seller)}
    owed |= {p.seller_id: p.owed for p in store.orders.payouts(rival)}
    assert owed == {seller: Decimal("30.00"), rival: Decimal("16.00")}
    # A partial refund is shared in proportion to what each sold: 23.00 is half of 46.00.
    store.orders.refund(order.order_id, Decimal("23.00"), "half")
    net = {p.seller_id: (p.refunded, p.owed) for s in (seller, rival)
           for p in store.orders.payouts(s)}  # fmt: skip
    assert net == {
        seller: (Decimal("15.00"), Decimal("15.00")),
        rival: (Decimal("8.00"), Decimal("8.00")),
    }
    store.orders.refund(order.order_id)
    assert [p.owed for s in (seller, rival) for p in store.orders.payouts(s)] == [0, 0]
    assert store.inventory.stock_level(mug) == 5 + 5 - 2


def test_a_cart_line_names_an_offer_or_gets_told_why_not(
    store, make_product, seller, rival, customer
):
    kettle = make_product(stock=5, price="30.00", title="Kettle")
    mug = make_product(stock=5, price="10.00", title="Mug")
    dearer = store.offers.create_offer(rival, kettle, Decimal("35.00"), 3, shipping_days=1)
    with pytest.raises(OfferNotFound):
        store.cart.add_item(customer, mug, 1, offer_id=dearer.offer_id)
    store.cart.add_item(customer, kettle, 1, offer_id=dearer.offer_id)
    line = store.cart.view(customer).items[0]
    assert (line.unit_price, line.seller_id) == (Decimal("35.00"), rival)
    store.offers.delete_offer(dearer.offer_id, rival)
    assert store.cart.view(customer).ready is False
    with pytest.raises(OfferUnavailable) as gone:
        store.orders.checkout(customer, APPROVE_CARD)
    assert (gone.value.code, gone.value.field) == (OfferErrorCode.OFFER_UNAVAILABLE, "offer_id")
    # Named again, the rival's offer is back (the same offer id) and sells.
    again = store.offers.create_offer(rival, kettle, Decimal("33.00"), 1)
    assert again.offer_id == dearer.offer_id
    order = store.orders.checkout(customer, APPROVE_CARD)
    assert [(i.seller_id, i.unit_price) for i in order.items] == [(rival, Decimal("33.00"))]
    assert store.offers.offers_of_product(kettle)[0].stock == 5  # the lister's, now the box


def test_a_refund_is_shared_in_whole_cents_that_add_up():
    sold = {"s-a": 1000, "s-b": 2000, "s-c": 3}
    shares = share_refund(1001, sold)
    assert sum(shares.values()) == 1001
    assert shares == {"s-a": 333, "s-b": 667, "s-c": 1}
    assert share_refund(10**6, sold) == sold  # never more than each sold
    assert share_refund(0, sold) == {"s-a": 0, "s-b": 0, "s-c": 0}


def test_each_seller_restocks_its_own_offer_and_lists_only_live_products(
    store, make_product, seller, rival, customer
):
    product_id = make_product(stock=2, price="20.00")
    theirs = store.offers.create_offer(rival, product_id, Decimal("25.00"), 1)
    assert store.inventory.restock(product_id, 4, seller_id=rival) == 2 + 1 + 4
    levels = {o.seller_id: o.stock for o in store.offers.offers_of_product(product_id)}
    assert levels == {seller: 2, rival: 5}
    with pytest.raises(ProductNotFound):
        store.inventory.restock("p-999999", 1, seller_id=rival)
    store.catalog.delete_product(product_id, seller)
    assert store.offers.offers_of_seller(rival) == []
    with pytest.raises(OfferNotFound):
        store.offers.delete_offer("of-nothing", rival)
    assert theirs.offer_id.startswith("of-")


def test_buyers_reviews_rate_the_seller_they_bought_from_and_keep_the_buy_box_price(
    store, make_product, seller, rival, customer, outbox_rows
):
    lamp = make_product(stock=5, price="20.00", title="Lamp")
    store.offers.create_offer(rival, lamp, Decimal("18.00"), 5)
    store.cart.add_item(customer, lamp, 1)
    store.orders.checkout(customer, APPROVE_CARD)
    store.reviews.post_review(customer, lamp, 4, "Bright and steady")
    ratings = {o.seller_id: (o.seller_rating, o.seller_rating_count)
               for o in store.offers.offers_of_product(lamp)}  # fmt: skip
    assert ratings == {rival: (4.0, 1), seller: (0.0, 0)}
    rated = [r["payload"] for r in outbox_rows(store) if r["type"] == events.PRODUCT_UPDATED][-1]
    assert (rated["price"], rated["rating"]) == ("18.00", 4.0)
