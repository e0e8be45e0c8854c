"""Checkout: place, pay, decline, out of stock, idempotency, the order state machine."""

from __future__ import annotations

from decimal import Decimal

import pytest

from contracts import events
from transactional.cart.domain import CartErrorCode, EmptyCart
from transactional.catalog.domain import ProductNotFound
from transactional.inventory.domain import InventoryErrorCode, OutOfStock
from transactional.orders.domain import IllegalTransition, OrderNotFound, ProductUnavailable
from transactional.payments.sandbox import APPROVE_CARD, DECLINE_CARD, INSUFFICIENT_FUNDS_CARD


def types_in(rows: list[dict]) -> list[str]:
    return [r["type"] for r in rows]


def test_paid_checkout_takes_stock_empties_cart_and_logs_in_order(
    store, customer, make_product, count, outbox_rows
):
    shoe, sock = make_product(stock=5), make_product(stock=5, price="4.50")
    store.cart.add_item(customer, sock, 2, search_id="srch-1")
    store.cart.add_item(customer, shoe, 1, recommendation_id="rec-1")
    before = count(store, "outbox")
    order = store.orders.checkout(customer, APPROVE_CARD)
    assert order.status == "paid" and order.order_id.startswith("o-")
    assert order.total == Decimal("28.99") and order.decline_code is None
    assert types_in(outbox_rows(store)[before:]) == [
        events.ORDER_PLACED,
        events.STOCK_CHANGED,
        events.STOCK_CHANGED,
        events.PAYMENT_AUTHORIZED,
        events.PAYMENT_CAPTURED,
        events.ORDER_STATUS_CHANGED,
        events.PAYOUT_RECORDED,  # one seller: one payout, the whole order
    ]
    rows = outbox_rows(store)[before:]
    placed = rows[0]["payload"]
    assert placed["status"] == "pending_payment" and placed["total"] == "28.99"
    assert placed["items"] == [
        {"product_id": shoe, "quantity": 1, "unit_price": "19.99", "search_id": None,
         "recommendation_id": "rec-1", "offer_id": f"of-{shoe}", "seller_id": "s-000001"},
        {"product_id": sock, "quantity": 2, "unit_price": "4.50", "search_id": "srch-1",
         "recommendation_id": None, "offer_id": f"of-{sock}", "seller_id": "s-000001"},
    ]  # fmt: skip
    assert events.unknown_keys(events.ORDER_PLACED, placed) == []
    assert [r["payload"]["reason"] for r in rows[1:3]] == ["order", "order"]
    assert rows[-2]["payload"]["from_status"] == "pending_payment"
    assert rows[-2]["payload"]["to_status"] == "paid"
    assert rows[-1]["payload"]["owed"] == "28.99"
    assert store.inventory.stock_level(shoe) == 4 and store.inventory.stock_level(sock) == 3
    assert store.cart.view(customer).items == []
    assert len(store.payment_gateway.captures) == 1
    assert store.orders.get(order.order_id) == order


@pytest.mark.parametrize(
    ("card", "decline_code"),
    [
        (DECLINE_CARD, "card_declined"),
        (INSUFFICIENT_FUNDS_CARD, "insufficient_funds"),
        ("4242424242424241", "invalid_card"),
    ],
)
def test_declined_checkout_cancels_and_gives_stock_back(
    store, customer, make_product, card, decline_code, count, outbox_rows
):
    product_id = make_product(stock=3)
    store.cart.add_item(customer, product_id, 2, search_id="srch-1")
    cart_before = store.cart.view(customer)
    before = count(store, "outbox")
    order = store.orders.checkout(customer, card)
    assert (order.status, order.decline_code) == ("cancelled", decline_code)
    # The cart is as it was, the search the line came from included: another card is one step.
    assert store.cart.view(customer) == cart_before
    assert types_in(outbox_rows(store)[before:]) == [
        events.ORDER_PLACED,
        events.STOCK_CHANGED,
        events.PAYMENT_DECLINED,
        events.ORDER_STATUS_CHANGED,
        events.STOCK_CHANGED,
    ]
    restored = outbox_rows(store)[-1]["payload"]
    assert restored == {"product_id": product_id, "quantity": 3, "delta": 2, "reason": "cancel",
                        "offer_id": f"of-{product_id}", "offer_stock": 3}  # fmt: skip
    assert store.inventory.stock_level(product_id) == 3
    assert store.orders.get(order.order_id).decline_code == decline_code
    assert store.payment_gateway.captures == []


def test_out_of_stock_changes_nothing(store, customer, make_product, count):
    plenty, scarce = make_product(stock=10), make_product(stock=1)
    store.cart.add_item(customer, plenty, 2)
    store.cart.add_item(customer, scarce, 2)
    outbox_before, orders_before = count(store, "outbox"), count(store, "orders")
    with pytest.raises(OutOfStock) as caught:
        store.orders.checkout(customer, APPROVE_CARD)
    assert caught.value.code == InventoryErrorCode.OUT_OF_STOCK
    assert (caught.value.product_id, caught.value.available) == (scarce, 1)
    assert count(store, "outbox") == outbox_before and count(store, "orders") == orders_before
    # The first item's decrement was rolled back with the rest.
    assert store.inventory.stock_level(plenty) == 10
    assert len(store.cart.view(customer).items) == 2
    assert store.payment_gateway.authorizations == []


def test_same_idempotency_key_returns_the_same_order(store, customer, make_product, count):
    product_id = make_product(stock=5)
    store.cart.add_item(customer, product_id, 1)
    first = store.orders.checkout(customer, APPROVE_CARD, idempotency_key="k-1")
    store.cart.add_item(customer, product_id, 1)
    outbox_before = count(store, "outbox")
    again = store.orders.checkout(customer, APPROVE_CARD, idempotency_key="k-1")
    assert again == first
    assert count(store, "outbox") == outbox_before and count(store, "orders") == 1
    assert store.inventory.stock_level(product_id) == 4


def test_empty_cart_is_refused(store, customer):
    with pytest.raises(EmptyCart) as caught:
        store.orders.checkout(customer, APPROVE_CARD)
    assert caught.value.code == CartErrorCode.EMPTY_CART


def test_delisted_product_in_cart_is_refused(store, customer, seller, make_product):
    product_id = make_product()
    store.cart.add_item(customer, product_id, 1)
    store.catalog.delete_product(product_id, seller)
    with pytest.raises(ProductUnavailable):
        store.orders.checkout(customer, APPROVE_CARD)
    with pytest.raises(ProductNotFound):
        store.cart.add_item(customer, product_id, 1)


def test_lifecycle_moves_forward_only(store, customer, make_product, count):
    store.cart.add_item(customer, make_product(), 1)
    paid = store.orders.checkout(customer, APPROVE_CARD)
    with pytest.raises(IllegalTransition):
        store.orders.mark_shipped(paid.order_id)  # a paid order is fulfilled first
    assert store.orders.mark_fulfilled(paid.order_id).status == "fulfilled"
    assert store.orders.mark_shipped(paid.order_id).status == "shipped"
    assert store.orders.mark_delivered(paid.order_id).status == "delivered"
    with pytest.raises(IllegalTransition):
        store.orders.mark_shipped(paid.order_id)
    store.cart.add_item(customer, make_product(), 1)
    cancelled = store.orders.checkout(customer, DECLINE_CARD)
    outbox_before = count(store, "outbox")
    with pytest.raises(IllegalTransition):
        store.orders.mark_shipped(cancelled.order_id)
    assert count(store, "outbox") == outbox_before
    assert store.orders.get(cancelled.order_id).status == "cancelled"


def test_history_is_newest_first_and_private(store, customer, make_product, clock):
    from datetime import timedelta

    ids = []
    for _ in range(2):
        store.cart.add_item(customer, make_product(), 1)
        ids.append(store.orders.checkout(customer, APPROVE_CARD).order_id)
        clock.advance(timedelta(minutes=5))
    assert [o.order_id for o in store.orders.history(customer)] == ids[::-1]
    other = store.users.register("Olga", "olga@example.com")
    assert store.orders.history(other) == []
    with pytest.raises(OrderNotFound):
        store.orders.get(ids[0], customer_id=other)
