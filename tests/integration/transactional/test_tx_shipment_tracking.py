"""GET /api/orders/{id}/shipment on SQLite and PostgreSQL: the carrier, tracking number, latest
status and the carrier's reports, to the order's customer and its seller only."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from storeloop.settings import Settings
from transactional.gateway.app import create_app
from transactional.payments.sandbox import APPROVE_CARD

CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
PASSWORD = "correct horse battery"


@pytest.fixture
def api(store, tmp_path) -> Iterator[TestClient]:
    settings = Settings(data_dir=tmp_path, serving_port=9)
    with TestClient(create_app(settings, store=store, hasher=CHEAP_HASHER)) as client:
        yield client


def sign_in(api: TestClient, name: str, role: str) -> dict[str, str]:
    api.app.state.auth.register(name, f"{name}@x.io", PASSWORD, role)  # type: ignore[attr-defined]
    body = {"email": f"{name}@x.io", "password": PASSWORD}
    token = api.post("/api/auth/login", json=body).json()["access_token"]
    return {"Authorization": f"Bearer {token}"}


def deliver_reports(api: TestClient, store, clock) -> list[tuple[bytes, dict[str, str]]]:
    """Every pending carrier report, in the sandbox's shuffled order; returns what was sent."""
    sent = []

    def send(body: bytes, headers: dict[str, str]) -> None:
        answer = api.post("/api/webhooks/shipping", content=body, headers=headers)
        assert answer.status_code == 200, answer.text
        sent.append((body, headers))

    while store.shipping_provider.webhooks.pending:
        store.shipping_provider.webhooks.deliver(send, clock.now(), flush=True)
    return sent


@pytest.fixture
def people(api) -> dict[str, dict[str, str]]:
    return {
        role: sign_in(api, role, kind)
        for role, kind in [
            ("seller", "seller"),
            ("other_seller", "seller"),
            ("shopper", "customer"),
            ("stranger", "customer"),
        ]
    }


def paid_order(api: TestClient, people) -> str:
    body = {"title": "Mug", "price": "8.00", "initial_stock": 3}
    product = api.post("/api/products", json=body, headers=people["seller"]).json()["product_id"]
    item = {"product_id": product, "quantity": 1}
    assert api.post("/api/cart/items", json=item, headers=people["shopper"]).status_code == 201
    paid = api.post("/api/orders", json={"card_number": APPROVE_CARD}, headers=people["shopper"])
    assert paid.json()["status"] == "paid", paid.text
    return paid.json()["order_id"]


def ship_and_report(api, store, clock, people, *carrier_news: str) -> tuple[str, list]:
    """A paid order shipped by its seller, then the carrier's news (`pick_up`, `deliver`) two
    minutes apart, all delivered to the store; the order id and the webhooks sent."""
    order_id = paid_order(api, people)
    api.post(f"/api/orders/{order_id}/shipment", headers=people["seller"])
    for news in carrier_news:
        clock.advance(timedelta(minutes=2))
        getattr(store.shipping_provider, news)(order_id)
    clock.advance(timedelta(minutes=1))
    return order_id, deliver_reports(api, store, clock)


def test_the_customer_and_the_seller_follow_the_shipment(api, store, clock, people):
    # A pickup reported after the delivery changes nothing, but the history keeps it.
    order_id, _ = ship_and_report(api, store, clock, people, "deliver", "pick_up")
    for who in ("shopper", "seller"):
        answer = api.get(f"/api/orders/{order_id}/shipment", headers=people[who])
        assert answer.status_code == 200, answer.text
        tracked = answer.json()
        assert tracked["carrier"] == "Sandbox Parcel"
        assert tracked["tracking_number"] == f"trk_{order_id}"
        assert tracked["status"] == "delivered"
        assert [e["status"] for e in tracked["events"]] == ["created", "delivered", "picked_up"]


def test_reports_are_kept_once_and_in_the_carriers_order(api, store, clock, people):
    order_id, sent = ship_and_report(api, store, clock, people, "pick_up", "deliver")
    for body, headers in sent:  # each report once more
        assert api.post("/api/webhooks/shipping", content=body, headers=headers).is_success
    events = api.get(f"/api/orders/{order_id}/shipment", headers=people["shopper"]).json()["events"]
    assert [e["status"] for e in events] == ["created", "picked_up", "delivered"]
    times = [e["occurred_at"] for e in events]
    assert times == sorted(times) and len(set(times)) == 3


def test_others_and_unshipped_orders_get_404_with_a_code(api, people):
    order_id = paid_order(api, people)
    not_yet = api.get(f"/api/orders/{order_id}/shipment", headers=people["shopper"])
    assert (not_yet.status_code, not_yet.json()["error"]["code"]) == (404, "shipment_not_found")
    api.post(f"/api/orders/{order_id}/shipment", headers=people["seller"])
    for who in ("stranger", "other_seller"):
        refused = api.get(f"/api/orders/{order_id}/shipment", headers=people[who])
        assert refused.status_code == 404
        assert refused.json()["error"] == {
            **refused.json()["error"], "code": "order_not_found", "field": "order_id",
        }  # fmt: skip
    unknown = api.get("/api/orders/ord-nothing/shipment", headers=people["shopper"])
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (404, "order_not_found")
    assert api.get(f"/api/orders/{order_id}/shipment").status_code == 401


@pytest.mark.parametrize("bad_id", ["x" * 41, "ord%20one", "ord.one"])
def test_a_malformed_order_id_is_refused_by_field(api, people, bad_id):
    answer = api.get(f"/api/orders/{bad_id}/shipment", headers=people["shopper"])
    assert answer.status_code == 422
    assert answer.json()["error"]["code"] == "invalid_request"
    assert answer.json()["error"]["field"] == "order_id"
