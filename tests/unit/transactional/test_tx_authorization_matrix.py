"""The authorization matrix: every operation of the gateway's OpenAPI schema, called by each of
anonymous, a customer, another customer, a seller, another seller and an admin, answers what the
rules below expect. The operations come from the schema, so a new route fails here until it
has a request below and its rule holds.

The rules, from the strictest: a webhook trusts its signature, never a token (401 without one),
and a password reset its emailed token (401 with one not issued); the admin has MFA on (without
it an admin gets 403 `mfa_required` outside enrolment, `test_tx_mfa.py`);
an operation without security is public; an anonymous call to a protected operation is 401 (a
cart route takes a guest cart instead); a role outside the route's policy is 403; another
seller's product is 403 (`not_product_owner`), while an admin moderates any; another shopper's
order is 404, so order ids reveal nothing. Anything else is allowed: not 401, 403 or 404, and
never a 5xx of the gateway's own (search and recommendations answer 503 here: no serving runs
behind this gateway).

A refused call changes nothing: the outbox (every state change's event) is the same after it.
Each call runs in a store of its own (a copy of one built once), so an allowed call that changes
state cannot hide the answer of the next."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from storeloop.settings import Settings
from tests.unit.transactional.conftest import START
from tests.unit.transactional.test_tx_api import CHEAP_HASHER, PASSWORD, as_user, turn_on_mfa
from transactional.bootstrap import bootstrap
from transactional.common.clock import SimulatedClock
from transactional.common.outbox import outbox
from transactional.gateway.app import create_app
from transactional.gateway.policy import ROLES_OF_ROUTE
from transactional.payments.sandbox import APPROVE_CARD
from transactional.users.domain import Role
from transactional.users.service import UserService
from warehouse.seller_sales import MartsSellerSales

IDENTITIES = ["anonymous", "customer", "other customer", "seller", "other seller", "admin"]
ROLE_OF = {
    "customer": Role.CUSTOMER,
    "other customer": Role.CUSTOMER,
    "seller": Role.SELLER,
    "other seller": Role.SELLER,
    "admin": Role.ADMIN,
}
ALLOWED = "allowed"
# Operations on a resource one account owns: who else is refused, and how.
PRODUCT_OF_SELLER = {"other seller": 403}
ORDER_OF_CUSTOMER = {"other customer": 404, "other seller": 404}
OWNED = {
    ("PATCH", "/api/products/{product_id}"): PRODUCT_OF_SELLER,
    ("DELETE", "/api/products/{product_id}"): PRODUCT_OF_SELLER,
    ("POST", "/api/products/{product_id}/stock"): PRODUCT_OF_SELLER,
    # The seller's own offer of its product: another seller's change is 403 not_offer_seller.
    ("PATCH", "/api/offers/{offer_id}"): PRODUCT_OF_SELLER,
    ("DELETE", "/api/offers/{offer_id}"): PRODUCT_OF_SELLER,
    ("GET", "/api/orders/{order_id}"): ORDER_OF_CUSTOMER,
    ("POST", "/api/orders/{order_id}/cancel"): ORDER_OF_CUSTOMER,
    ("POST", "/api/orders/{order_id}/shipment"): ORDER_OF_CUSTOMER,
    ("GET", "/api/orders/{order_id}/shipment"): ORDER_OF_CUSTOMER,
    ("POST", "/api/orders/{order_id}/return"): ORDER_OF_CUSTOMER,
    ("POST", "/api/orders/{order_id}/refund"): ORDER_OF_CUSTOMER,
    ("GET", "/api/recommendations/{user_id}"): {"other customer": 403},
    # Only a buyer reviews (403 not_a_buyer); only the product's seller answers.
    ("POST", "/api/products/{product_id}/reviews"): {"other customer": 403},
    ("POST", "/api/products/{product_id}/reviews/{review_id}/answer"): PRODUCT_OF_SELLER,
}
WEBHOOKS = {("POST", "/api/webhooks/payments"), ("POST", "/api/webhooks/shipping")}
# Trusts the token in its body, never the caller's: the request below sends one never issued.
RESET_CONFIRM = ("POST", "/api/auth/password-reset/confirm")
TRACKING = ("GET", "/api/orders/{order_id}/shipment")  # asked of a shipped order


@dataclass
class World:
    """One store: two customers, two sellers and an admin, the seller's product, the customer's
    paid order of it and review, a second order already shipped, a guest cart; every account's
    tokens."""

    api: TestClient
    ids: dict[str, str]
    tokens: dict[str, dict[str, str]]
    data_dir: Path

    def outbox_size(self) -> int:
        with self.api.app.state.store.engine.connect() as connection:
            return connection.execute(select(func.count()).select_from(outbox)).scalar_one()


def open_world(data_dir: Path) -> TestClient:
    """The gateway over the store kept in `data_dir` (its database and the sandboxes' ledgers)."""
    config = Settings(data_dir=data_dir, database_url=f"sqlite:///{data_dir / 'store.db'}",
                      serving_port=9)  # fmt: skip
    store = bootstrap(config, clock=SimulatedClock(START))
    # The marts reader over a data dir without marts: no sales yet, never a 503.
    sales = MartsSellerSales(config)
    return TestClient(create_app(config, store=store, hasher=CHEAP_HASHER, seller_sales=sales))


def build_world(data_dir: Path) -> World:
    api = open_world(data_dir)
    ids: dict[str, str] = {}
    tokens: dict[str, dict[str, str]] = {}
    accounts = UserService(api.app.state.store.users.uow, CHEAP_HASHER)
    for n, (identity, role) in enumerate(ROLE_OF.items()):
        email = f"user{n}@example.com"
        ids[identity] = accounts.register(f"User {n}", email, role, PASSWORD)
        login = api.post("/api/auth/login", json={"email": email, "password": PASSWORD})
        tokens[identity] = login.json()
        if role is Role.ADMIN:  # administrators act only with MFA on
            tokens[identity] = turn_on_mfa(api, email, login.json()["access_token"])[1]
    seller = as_user(tokens["seller"]["access_token"])
    made = api.post(
        "/api/products",
        json={
            "title": "Lamp",
            "price": "9.99",
            "initial_stock": 10,
            "category": "Home & Kitchen > Lighting",
        },
        headers=seller,
    )
    ids["product"] = made.json()["product_id"]
    ids["category"] = made.json()["category_id"]
    shopper = as_user(tokens["customer"]["access_token"])
    api.post("/api/cart/items", json={"product_id": ids["product"]}, headers=shopper)
    order = api.post("/api/orders", json={"card_number": APPROVE_CARD}, headers=shopper)
    assert order.json()["status"] == "paid", order.text
    ids["order"] = order.json()["order_id"]
    review = api.post(
        f"/api/products/{ids['product']}/reviews",
        json={"rating": 4, "text": "Warm light"},
        headers=shopper,
    )
    assert review.status_code == 201, review.text
    ids["review"] = review.json()["review_id"]
    # A second order, shipped: the one whose tracking is asked for.
    api.post("/api/cart/items", json={"product_id": ids["product"]}, headers=shopper)
    shipped = api.post("/api/orders", json={"card_number": APPROVE_CARD}, headers=shopper)
    ids["shipped order"] = shipped.json()["order_id"]
    booked = api.post(f"/api/orders/{ids['shipped order']}/shipment", headers=seller)
    assert booked.status_code == 201, booked.text
    for identity in ("customer", "other customer"):  # something in each cart to take out
        taker = as_user(tokens[identity]["access_token"])
        api.post("/api/cart/items", json={"product_id": ids["product"]}, headers=taker)
    guest = api.post("/api/cart/items", json={"product_id": ids["product"]})
    ids["guest cart"] = guest.headers["X-Cart-Id"]
    shown = api.post("/api/storefront/searches", json=shown_search(ids["product"]))
    ids["search"] = shown.json()["search_id"]
    listed = api.post("/api/storefront/recommendations", json=shown_list(ids["product"]))
    ids["recommendation"] = listed.json()["recommendation_id"]
    return World(api, ids, tokens, data_dir)


def shown_search(product_id: str) -> dict[str, Any]:
    result = {"product_id": product_id, "position": 1, "score": 1.5}
    return {"session_id": "s-1", "query": "lamp", "ranker": "index", "results": [result]}


def shown_list(product_id: str) -> dict[str, Any]:
    item = {"product_id": product_id, "position": 1, "score": 0.5}
    return {"session_id": "s-1", "surface": "feed", "recommender": "popularity",
            "strategy": "popularity", "items": [item]}  # fmt: skip


def request_for(world: World, method: str, path: str) -> dict[str, Any]:
    """A well-formed request to the operation: its path filled in, its body when it has one."""
    bodies: dict[tuple[str, str], Callable[[], Any]] = {
        ("POST", "/api/auth/register"): lambda: {
            "name": "Newcomer",
            "email": "new@example.com",
            "password": PASSWORD,
        },
        ("POST", "/api/auth/login"): lambda: {"email": "user0@example.com", "password": PASSWORD},
        ("POST", "/api/auth/refresh"): lambda: {
            "refresh_token": world.tokens["customer"]["refresh_token"]
        },
        ("POST", "/api/users/me/password"): lambda: {
            "current_password": PASSWORD,
            "new_password": "an entirely new passphrase",
        },
        ("POST", "/api/auth/password-reset"): lambda: {"email": "user0@example.com"},
        RESET_CONFIRM: lambda: {
            "token": "not-a-token-of-ours",
            "new_password": "an entirely new passphrase",
        },
        ("POST", "/api/users/me/mfa"): lambda: {"current_password": PASSWORD},
        ("POST", "/api/users/me/mfa/confirm"): lambda: {"code": "000000"},
        ("POST", "/api/products"): lambda: {"title": "Desk lamp", "price": "19.50"},
        ("PATCH", "/api/products/{product_id}"): lambda: {"price": "8.00"},
        ("POST", "/api/products/{product_id}/stock"): lambda: {"quantity": 5},
        ("POST", "/api/products/{product_id}/offers"): lambda: {"price": "9.50", "stock": 2},
        ("PATCH", "/api/offers/{offer_id}"): lambda: {"price": "8.00"},
        ("POST", "/api/cart/items"): lambda: {"product_id": world.ids["product"]},
        ("POST", "/api/orders"): lambda: {"card_number": APPROVE_CARD},
        ("POST", "/api/orders/{order_id}/refund"): lambda: {},
        ("POST", "/api/orders/{order_id}/return"): lambda: {"reason": "too small"},
        ("POST", "/api/products/{product_id}/reviews"): lambda: {"rating": 5, "text": "Bright"},
        ("POST", "/api/products/{product_id}/reviews/{review_id}/answer"): lambda: {
            "text": "Thank you"
        },
        ("POST", "/api/webhooks/payments"): lambda: {},
        ("POST", "/api/webhooks/shipping"): lambda: {},
        ("POST", "/api/storefront/searches"): lambda: shown_search(world.ids["product"]),
        ("POST", "/api/storefront/recommendations"): lambda: shown_list(world.ids["product"]),
        ("POST", "/api/storefront/recommendations/{recommendation_id}/clicks"): lambda: {
            "session_id": "s-1",
            "product_id": world.ids["product"],
            "position": 1,
        },
        ("POST", "/api/storefront/searches/{search_id}/clicks"): lambda: {
            "session_id": "s-1",
            "product_id": world.ids["product"],
            "position": 1,
        },
    }
    values = {
        "product_id": world.ids["product"],
        "offer_id": "of-" + world.ids["product"],
        "order_id": world.ids["shipped order" if (method, path) == TRACKING else "order"],
        "user_id": world.ids["customer"],
        "review_id": world.ids["review"],
        "category_id": world.ids["category"],
        "search_id": world.ids["search"],
        "recommendation_id": world.ids["recommendation"],
    }
    url = path.format(**values)
    query = {"q": "lamp"} if path.startswith("/api/search") else {}
    body = bodies.get((method, path))
    return {"url": url, "params": query, **({"json": body()} if body else {})}


def expected(operation: dict, method: str, path: str, identity: str) -> int | str:
    if (method, path) in WEBHOOKS or (method, path) == RESET_CONFIRM:
        return 401
    security = operation.get("security")
    if not security:
        return ALLOWED
    if identity == "anonymous":
        return ALLOWED if {} in security else 401
    if ROLE_OF[identity] not in ROLES_OF_ROUTE.get((method, path), frozenset()):
        return 403
    return OWNED.get((method, path), {}).get(identity, ALLOWED)


def operations() -> list[tuple[str, str, dict]]:
    config = Settings(database_url="sqlite://", serving_port=9)
    schema = create_app(config).openapi()
    return [
        (method.upper(), path, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
    ]


OPERATIONS = operations()


@pytest.fixture(scope="module")
def first_world(tmp_path_factory) -> World:
    """The world built once; each call gets a copy of its store (the same accounts, tokens and
    orders), which is what building it again would give, in a tenth of the time."""
    world = build_world(tmp_path_factory.mktemp("world"))
    world.api.app.state.store.close()
    return world


def copy_of(world: World, data_dir: Path) -> World:
    shutil.copytree(world.data_dir, data_dir)
    return World(open_world(data_dir), world.ids, world.tokens, data_dir)


@pytest.mark.parametrize(
    ("method", "path", "operation"),
    OPERATIONS,
    ids=[f"{method} {path}" for method, path, _ in OPERATIONS],
)
def test_every_identity_gets_what_the_rules_say(first_world, tmp_path, method, path, operation):
    wrong: list[str] = []
    for identity in IDENTITIES:
        world = copy_of(first_world, tmp_path / identity.replace(" ", "_"))
        want = expected(operation, method, path, identity)
        headers = {}
        if identity != "anonymous":
            headers = as_user(world.tokens[identity]["access_token"])
        elif path.startswith("/api/cart"):
            headers = {"X-Cart-Id": world.ids["guest cart"]}
        before = world.outbox_size()
        answer = world.api.request(method, headers=headers, **request_for(world, method, path))
        got = answer.status_code
        serving_down = path.startswith(("/api/search", "/api/recommendations")) and got == 503
        if want == ALLOWED:
            if got in (401, 403, 404) or (got >= 500 and not serving_down):
                wrong.append(f"{identity}: {got} {answer.text[:200]} (expected allowed)")
        elif got != want:
            wrong.append(f"{identity}: {got} {answer.text[:200]} (expected {want})")
        elif world.outbox_size() != before:
            wrong.append(f"{identity}: refused with {got}, yet an event was recorded")
        world.api.app.state.store.close()
    assert not wrong, f"{method} {path}:\n" + "\n".join(wrong)
