"""Carts over HTTP: guest carts, the merge at login, what changed before checkout, bad input."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from contracts import events
from tests.unit.transactional.test_tx_api import (  # noqa: F401  (fixtures)
    PASSWORD,
    api,
    as_user,
    customer_id,
    error_of,
    product_id,
    seller_id,
    sign_up,
)


def add_as_guest(api, product_id: str, quantity: int = 1, cart_id: str | None = None):  # noqa: F811
    headers = {"X-Cart-Id": cart_id} if cart_id else {}
    return api.post(
        "/api/cart/items", json={"product_id": product_id, "quantity": quantity}, headers=headers
    )


def test_a_guest_fills_a_cart_without_logging_in(api, product_id):  # noqa: F811
    first = add_as_guest(api, product_id)
    assert first.status_code == 201
    cart_id = first.json()["cart_id"]
    assert first.headers["X-Cart-Id"] == cart_id and cart_id.startswith("g-")
    assert first.json()["customer_id"] is None
    # By header, or by the cookie the first answer set (the TestClient sends it back).
    again = add_as_guest(api, product_id, cart_id=cart_id)
    assert again.json()["items"][0]["quantity"] == 2
    api.cookies.clear()
    viewed = api.get("/api/cart", headers={"X-Cart-Id": cart_id})
    assert viewed.status_code == 200 and viewed.json()["total"] == "49.00"
    assert viewed.json()["ready"] is True and viewed.json()["changes"] == []


def test_the_cart_cookie_names_the_guest_cart(api, product_id):  # noqa: F811
    cart_id = add_as_guest(api, product_id).json()["cart_id"]
    assert api.cookies.get("cart_id") == cart_id
    assert api.get("/api/cart").json()["cart_id"] == cart_id


def test_login_merges_the_guest_cart_capped_by_stock(api, product_id, seller_id):  # noqa: F811
    customer, _ = sign_up(api, "Gus", "gus@x.io")
    login = {"email": "gus@x.io", "password": PASSWORD}
    token = api.post("/api/auth/login", json=login).json()["access_token"]
    assert (
        api.post(
            "/api/cart/items", json={"product_id": product_id}, headers=as_user(token)
        ).status_code
        == 201
    )
    cart_id = add_as_guest(api, product_id, quantity=2).json()["cart_id"]  # stock is 2
    merged = api.post("/api/auth/login", json=login, headers={"X-Cart-Id": cart_id})
    assert merged.status_code == 200
    merge = merged.json()["cart_merge"]
    assert merge["cart_id"] == f"cart-{customer}"
    assert merge["changes"] == [
        {
            "code": "quantity_capped",
            "product_id": product_id,
            "requested": 3,
            "available": 2,
            "old_unit_price": None,
            "new_unit_price": None,
        }
    ]
    mine = api.get("/api/cart", headers=as_user(merged.json()["access_token"])).json()
    assert [(i["product_id"], i["quantity"]) for i in mine["items"]] == [(product_id, 2)]
    # The guest cart is gone: it was merged, not copied.
    gone = api.get("/api/cart", headers={"X-Cart-Id": cart_id})
    assert gone.status_code == 404 and error_of(gone)["code"] == "cart_not_found"


def test_login_with_an_unknown_guest_cart_still_logs_in(api):  # noqa: F811
    sign_up(api, "Una", "una@x.io")
    answer = api.post(
        "/api/auth/login",
        json={"email": "una@x.io", "password": PASSWORD},
        headers={"X-Cart-Id": "g-" + "0" * 30},
    )
    assert answer.status_code == 200 and answer.json()["cart_merge"] is None


def test_the_cart_tells_what_changed_since_items_were_added(api, seller_id, customer_id):  # noqa: F811
    seller, buyer = as_user(seller_id), as_user(customer_id)

    def listed(title: str, stock: int) -> str:
        body = {"title": title, "price": "10.00", "initial_stock": stock}
        return api.post("/api/products", json=body, headers=seller).json()["product_id"]

    repriced, scarce, delisted = listed("Mug", 5), listed("Pot", 3), listed("Pan", 5)
    for pid, qty in ((repriced, 1), (scarce, 3), (delisted, 1)):
        body = {"product_id": pid, "quantity": qty}
        assert api.post("/api/cart/items", json=body, headers=buyer).status_code == 201
    assert api.patch(
        f"/api/products/{repriced}", json={"price": "12.50"}, headers=seller
    ).is_success
    assert api.delete(f"/api/products/{delisted}", headers=seller).status_code == 204
    other = sign_up(api, "Ola", "ola@x.io")[1]["access_token"]
    body = {"product_id": scarce, "quantity": 2}
    assert api.post("/api/cart/items", json=body, headers=as_user(other)).status_code == 201
    assert api.post("/api/orders", json={"card_number": "4242424242424242"},
                    headers=as_user(other)).status_code == 201  # fmt: skip
    cart = api.get("/api/cart", headers=buyer).json()
    codes = {(c["code"], c["product_id"]) for c in cart["changes"]}
    assert codes == {
        ("price_changed", repriced),
        ("insufficient_stock", scarce),
        ("product_unavailable", delisted),
    }
    price = next(c for c in cart["changes"] if c["code"] == "price_changed")
    assert (price["old_unit_price"], price["new_unit_price"]) == ("10.00", "12.50")
    short = next(c for c in cart["changes"] if c["code"] == "insufficient_stock")
    assert (short["requested"], short["available"]) == (3, 1)
    assert cart["ready"] is False


def test_removing_an_item(api, product_id, customer_id):  # noqa: F811
    headers = as_user(customer_id)
    api.post("/api/cart/items", json={"product_id": product_id}, headers=headers)
    assert api.delete(f"/api/cart/items/{product_id}", headers=headers).status_code == 204
    again = api.delete(f"/api/cart/items/{product_id}", headers=headers)
    assert again.status_code == 404 and error_of(again)["code"] == "not_in_cart"
    assert api.get("/api/cart", headers=headers).json()["items"] == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"product_id": "p-1", "quantity": -1}, "quantity"),
        ({"product_id": "p-1", "quantity": 10**12}, "quantity"),
        ({"product_id": "p-1", "quantity": "two"}, "quantity"),
        ({"product_id": 7}, "product_id"),
        ({"quantity": 1}, "product_id"),
        ({"product_id": "p-1", "colour": "red"}, "colour"),
        ({"product_id": "p-1", "recommendation_id": "r" * 41}, "recommendation_id"),
        ({"product_id": "p-1", "recommendation_id": 7}, "recommendation_id"),
        ([1, 2], "body"),
    ],
)
def test_bad_cart_bodies_are_422_and_write_nothing(api, body, field, count, store):  # noqa: F811
    before = count(store, "cart_items")
    answer = api.post("/api/cart/items", json=body)
    assert answer.status_code == 422 and error_of(answer)["field"] == field
    assert count(store, "cart_items") == before and count(store, "carts") == 0


def test_malformed_json_and_bad_cart_ids(api, product_id, count, store):  # noqa: F811
    broken = api.post(
        "/api/cart/items", content=b'{"product_id": ', headers={"content-type": "application/json"}
    )
    assert broken.status_code == 400 and error_of(broken)["code"] == "malformed_json"
    mangled = add_as_guest(api, product_id, cart_id="cart-c-000001")  # a customer's cart id
    assert mangled.status_code == 422 and error_of(mangled)["field"] == "X-Cart-Id"
    unknown = add_as_guest(api, product_id, cart_id="g-" + "a" * 30)
    assert unknown.status_code == 404 and error_of(unknown)["code"] == "cart_not_found"
    ghost = add_as_guest(api, "p-404404")
    assert ghost.status_code == 404 and error_of(ghost)["code"] == "product_not_found"
    assert count(store, "carts") == 0 and count(store, "cart_items") == 0
    nobody = api.get("/api/cart")
    assert nobody.status_code == 401 and error_of(nobody)["code"] == "unauthenticated"


def test_a_bad_token_is_refused_even_where_guests_are_welcome(api, product_id, seller_id):  # noqa: F811
    forged = api.post(
        "/api/cart/items", json={"product_id": product_id}, headers=as_user("not-a-token")
    )
    assert forged.status_code == 401 and error_of(forged)["code"] == "invalid_token"
    seller = api.get("/api/cart", headers=as_user(seller_id))
    assert seller.status_code == 403 and error_of(seller)["code"] == "role_not_allowed"


def test_one_guest_cannot_see_a_customers_cart(api, product_id, customer_id):  # noqa: F811
    api.post("/api/cart/items", json={"product_id": product_id}, headers=as_user(customer_id))
    me = api.get("/api/users/me", headers=as_user(customer_id)).json()["user_id"]
    peek = api.get("/api/cart", headers={"X-Cart-Id": f"cart-{me}"})
    assert peek.status_code == 422 and error_of(peek)["code"] == "invalid_request"


def test_an_add_names_the_recommendation_list_it_came_from(api, product_id, customer_id, store):  # noqa: F811
    body = {"product_id": product_id, "recommendation_id": "rec-0a1b", "search_id": "srch-9"}
    mine = api.post("/api/cart/items", json=body, headers=as_user(customer_id))
    assert mine.status_code == 201
    from_list = {"product_id": product_id, "recommendation_id": "rec-2"}
    guest = api.post("/api/cart/items", json=from_list)
    assert guest.status_code == 201
    with store.engine.connect() as connection:
        rows = connection.execute(
            text("SELECT payload FROM outbox WHERE type = :t ORDER BY position"),
            {"t": events.CART_ITEM_ADDED},
        ).scalars()
        added = [json.loads(row) for row in rows]
    assert [(a["search_id"], a["recommendation_id"]) for a in added] == [
        ("srch-9", "rec-0a1b"),
        (None, "rec-2"),
    ]
