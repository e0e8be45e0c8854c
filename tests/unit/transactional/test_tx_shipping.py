"""Shipping: a shipment fulfils a paid order, the carrier's webhooks (late, doubled, reordered)
ship and deliver it, and a customer's return comes back and is refunded through the gateway."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from contracts import events
from storeloop.settings import Settings
from transactional.gateway.app import create_app
from transactional.orders.domain import OrderNotFound
from transactional.payments.domain import PaymentStatus
from transactional.payments.sandbox import APPROVE_CARD, DECLINE_CARD
from transactional.shipping.domain import NotReturnable, NotShippable, ShippingErrorCode
from transactional.users.domain import Role, User

CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@pytest.fixture
def api(store, tmp_path):
    settings = Settings(data_dir=tmp_path, database_url="sqlite://", serving_port=9)
    with TestClient(create_app(settings, store=store, hasher=CHEAP_HASHER)) as client:
        yield client


def deliver_all(api, store, clock) -> Counter:
    outcomes: Counter = Counter()

    def send(body: bytes, headers: dict[str, str]) -> None:
        answer = api.post("/api/webhooks/shipping", content=body, headers=headers)
        assert answer.status_code == 200, answer.text
        outcomes[answer.json()["outcome"]] += 1

    while store.shipping_provider.webhooks.pending:
        store.shipping_provider.webhooks.deliver(send, clock.now())
    return outcomes


def test_ship_deliver_return_refund(api, store, customer, make_product, clock, outbox_rows):
    product_id = make_product(stock=3, price="15.00")
    store.cart.add_item(customer, product_id, 2)
    order = store.orders.checkout(customer, APPROVE_CARD)
    shipment = store.shipping.create_shipment(order.order_id)
    assert store.shipping.create_shipment(order.order_id) == shipment  # idempotent
    assert store.orders.get(order.order_id).status == "fulfilled"
    # The delivery is reported before the pickup, some reports twice: still delivered.
    store.shipping_provider.deliver(order.order_id)
    assert deliver_all(api, store, clock)["applied"] == 1
    store.shipping_provider.pick_up(order.order_id)
    assert deliver_all(api, store, clock)["stale"] == 1
    assert store.orders.get(order.order_id).status == "delivered"
    shopper = User(customer, "Carl", "carl@example.com", Role.CUSTOMER, clock.now())
    request = store.shipping.request_return(order.order_id, shopper, "too small")
    assert store.shipping.request_return(order.order_id, shopper) == request
    store.shipping_provider.receive_return(order.order_id)
    assert deliver_all(api, store, clock)["applied"] == 1
    assert store.orders.get(order.order_id).status == "refunded"
    record = store.payment_gateway.lookup(f"pi_{order.order_id}")
    assert record.status is PaymentStatus.REFUNDED and record.refunded == Decimal("30.00")
    assert store.inventory.stock_level(product_id) == 3  # the returned units are back
    kinds = [r["type"] for r in outbox_rows(store)]
    for kind in (
        events.SHIPMENT_CREATED,
        events.SHIPMENT_STATUS_CHANGED,
        events.RETURN_REQUESTED,
        events.RETURN_RECEIVED,
        events.PAYMENT_REFUNDED,
    ):
        assert kind in kinds
    statuses = [
        r["payload"]["to_status"]
        for r in outbox_rows(store)
        if r["type"] == events.ORDER_STATUS_CHANGED
    ]
    assert statuses == ["paid", "fulfilled", "shipped", "delivered", "returned", "refunded"]


def test_only_paid_orders_ship_and_only_delivered_own_orders_return(
    store, customer, make_product, clock
):
    store.cart.add_item(customer, make_product(stock=3), 1)
    declined = store.orders.checkout(customer, DECLINE_CARD)
    with pytest.raises(NotShippable) as caught:
        store.shipping.create_shipment(declined.order_id)
    assert caught.value.code == ShippingErrorCode.NOT_SHIPPABLE
    store.cart.add_item(customer, make_product(stock=3), 1)
    paid = store.orders.checkout(customer, APPROVE_CARD)
    shopper = User(customer, "Carl", "carl@example.com", Role.CUSTOMER, clock.now())
    with pytest.raises(NotReturnable):
        store.shipping.request_return(paid.order_id, shopper)
    stranger = User("c-999999", "Eve", "eve@example.com", Role.CUSTOMER, clock.now())
    with pytest.raises(OrderNotFound):
        store.shipping.request_return(paid.order_id, stranger)


def test_shipment_and_return_routes_check_who_asks(api, store, clock):
    hasher_auth = api.app.state.auth

    def login(name: str, role: str) -> dict[str, str]:
        hasher_auth.register(name, f"{name}@x.io", "correct horse battery", role)
        body = {"email": f"{name}@x.io", "password": "correct horse battery"}
        token = api.post("/api/auth/login", json=body).json()["access_token"]
        return {"Authorization": f"Bearer {token}"}

    seller, other_seller, shopper, stranger = (
        login("sal", "seller"),
        login("otto", "seller"),
        login("cy", "customer"),
        login("eve", "customer"),
    )
    body = {"title": "Mug", "price": "8.00", "initial_stock": 2}
    product_id = api.post("/api/products", json=body, headers=seller).json()["product_id"]
    item = {"product_id": product_id, "quantity": 1}
    api.post("/api/cart/items", json=item, headers=shopper)
    order_id = api.post("/api/orders", json={"card_number": APPROVE_CARD}, headers=shopper).json()[
        "order_id"
    ]
    assert api.post(f"/api/orders/{order_id}/shipment", headers=shopper).status_code == 403
    assert api.post(f"/api/orders/{order_id}/shipment", headers=other_seller).status_code == 404
    shipped = api.post(f"/api/orders/{order_id}/shipment", headers=seller)
    assert shipped.status_code == 201 and shipped.json()["status"] == "created"
    early = api.post(f"/api/orders/{order_id}/return", json={}, headers=shopper)
    assert (early.status_code, early.json()["error"]["code"]) == (409, "order_not_returnable")
    store.shipping_provider.deliver(order_id)
    deliver_all(api, store, clock)
    assert api.post(f"/api/orders/{order_id}/return", json={}, headers=stranger).status_code == 404
    too_long = api.post(
        f"/api/orders/{order_id}/return", json={"reason": "x" * 501}, headers=shopper
    )
    assert too_long.status_code == 422
    returned = api.post(
        f"/api/orders/{order_id}/return", json={"reason": "chipped"}, headers=shopper
    )
    assert returned.status_code == 201 and returned.json()["status"] == "requested"
