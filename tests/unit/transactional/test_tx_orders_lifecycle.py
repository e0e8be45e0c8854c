"""Orders over HTTP: idempotent placement (same key and body: same order; other body: 422),
history per role (own orders, a seller's sales, everything for admins), cancel and refund rules."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import text

from storeloop.settings import Settings
from tests.unit.transactional.test_tx_api import turn_on_mfa
from transactional.gateway.app import create_app
from transactional.orders.domain import IdempotencyKeyReused, OrderErrorCode
from transactional.payments.sandbox import APPROVE_CARD, DECLINE_CARD

CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
PASSWORD = "correct horse battery"
VISA_2 = "4012888888881881"


@pytest.fixture
def api(store, tmp_path):
    settings = Settings(data_dir=tmp_path, database_url="sqlite://", serving_port=9)
    with TestClient(create_app(settings, store=store, hasher=CHEAP_HASHER)) as client:
        yield client


def login(api, name: str, role: str) -> tuple[str, dict[str, str]]:
    email = f"{name.lower()}@x.io"
    user_id = api.app.state.auth.register(name, email, PASSWORD, role)
    token = api.post("/api/auth/login", json={"email": email, "password": PASSWORD}).json()
    if role == "admin":  # administrators act only with MFA on
        token = turn_on_mfa(api, email, token["access_token"])[1]
    return user_id, {"Authorization": f"Bearer {token['access_token']}"}


@pytest.fixture
def people(api):
    return {role: login(api, role.title(), role) for role in ("customer", "seller", "admin")}


def listed(api, seller_headers, stock: int = 5) -> str:
    body = {"title": "Kettle", "price": "20.00", "initial_stock": stock}
    return api.post("/api/products", json=body, headers=seller_headers).json()["product_id"]


def buy(api, headers, product_id: str, card: str = APPROVE_CARD, key: str | None = None):
    api.post("/api/cart/items", json={"product_id": product_id, "quantity": 1}, headers=headers)
    extra = {"Idempotency-Key": key} if key else {}
    return api.post("/api/orders", json={"card_number": card}, headers={**headers, **extra})


def count(store, table: str) -> int:
    with store.engine.connect() as connection:
        return connection.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one()


def test_idempotency_key_same_body_same_order_other_body_422(api, people, store):
    (_, shopper), (_, seller) = people["customer"], people["seller"]
    product_id = listed(api, seller)
    first = buy(api, shopper, product_id, key="k-1")
    again = buy(api, shopper, product_id, key="k-1")
    assert first.status_code == 201 and again.json() == first.json()
    reused = buy(api, shopper, product_id, VISA_2, key="k-1")
    assert reused.status_code == 422
    assert (reused.json()["error"]["code"], reused.json()["error"]["field"]) == (
        "idempotency_key_reused",
        "Idempotency-Key",
    )
    assert count(store, "orders") == 1 and store.inventory.stock_level(product_id) == 4
    with pytest.raises(IdempotencyKeyReused) as caught:
        store.orders.checkout(people["customer"][0], VISA_2, idempotency_key="k-1")
    assert caught.value.code == OrderErrorCode.IDEMPOTENCY_KEY_REUSED


def test_history_by_role(api, people):
    (_, shopper), (_, seller), (_, admin) = people["customer"], people["seller"], people["admin"]
    other_seller = login(api, "Otto", "seller")[1]
    mine, theirs = listed(api, seller), listed(api, other_seller)
    ordered = [buy(api, shopper, p).json()["order_id"] for p in (mine, theirs)]

    def ids(headers: dict[str, str]) -> list[str]:
        answer = api.get("/api/orders", headers=headers)
        return [o["order_id"] for o in answer.json()["items"]]

    assert sorted(ids(shopper)) == sorted(ordered) and sorted(ids(admin)) == sorted(ordered)
    assert ids(seller) == [ordered[0]] and ids(other_seller) == [ordered[1]]
    assert api.get(f"/api/orders/{ordered[1]}", headers=seller).status_code == 404
    assert api.get(f"/api/orders/{ordered[1]}", headers=admin).status_code == 200
    stranger = login(api, "Stan", "customer")[1]
    assert ids(stranger) == []
    assert api.get(f"/api/orders/{ordered[0]}", headers=stranger).status_code == 404


def test_cancel_refund_and_illegal_transitions(api, people, store):
    (_, shopper), (_, seller), (_, admin) = people["customer"], people["seller"], people["admin"]
    product_id = listed(api, seller)
    paid = buy(api, shopper, product_id).json()["order_id"]
    refused = api.post(f"/api/orders/{paid}/cancel", headers=shopper)
    assert (refused.status_code, refused.json()["error"]["code"]) == (409, "illegal_transition")
    assert api.post(f"/api/orders/{paid}/refund", json={}, headers=shopper).status_code == 403
    for bad in ({"amount": "-1"}, {"amount": "0"}, {"amount": "1e9"}, {"amount": "abc"}):
        answer = api.post(f"/api/orders/{paid}/refund", json=bad, headers=admin)
        assert answer.status_code == 422 and answer.json()["error"]["field"] == "amount"
    too_much = api.post(f"/api/orders/{paid}/refund", json={"amount": "20.01"}, headers=admin)
    assert (too_much.status_code, too_much.json()["error"]["code"]) == (422, "refund_too_large")
    part = api.post(f"/api/orders/{paid}/refund", json={"amount": "5"}, headers=admin)
    assert part.status_code == 200 and part.json()["status"] == "paid"
    full = api.post(f"/api/orders/{paid}/refund", json={}, headers=admin)
    assert full.json()["status"] == "refunded"
    declined = buy(api, shopper, product_id, DECLINE_CARD).json()
    assert declined["status"] == "cancelled"
    assert (
        api.post(f"/api/orders/{declined['order_id']}/refund", json={}, headers=admin).json()[
            "error"
        ]["code"]
        == "not_captured"
    )
    assert api.post("/api/orders/o-nope/cancel", headers=shopper).status_code == 404
    assert store.inventory.stock_level(product_id) == 4
