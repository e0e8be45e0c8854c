"""Accounts over HTTP: register, login, refresh (rotated), logout; expired, forged and revoked
tokens; roles from the one policy table."""

from __future__ import annotations

from datetime import timedelta

import jwt
from sqlalchemy import text

from tests.unit.transactional.test_tx_api import PASSWORD, as_user, error_of, sign_up
from transactional.gateway.identity import acting_user, user_or_guest
from transactional.gateway.policy import ROLES_OF_ROUTE

# The api fixture comes from test_tx_api; pytest needs it imported into this module's namespace.
from tests.unit.transactional.test_tx_api import api  # noqa: F401, E402  isort: skip


def test_register_login_and_me(api):  # noqa: F811
    user_id, tokens = sign_up(api, "Dee", "Dee@x.io")
    assert tokens["token_type"] == "bearer" and tokens["user_id"] == user_id
    me = api.get("/api/users/me", headers=as_user(tokens["access_token"]))
    assert me.status_code == 200 and me.json()["email"] == "dee@x.io"
    with api.app.state.store.engine.connect() as connection:
        stored = connection.execute(text("SELECT password_hash FROM user_credentials")).scalar()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_wrong_password_and_unknown_email_look_the_same(api):  # noqa: F811
    sign_up(api, "Dee", "dee@x.io")
    wrong = api.post("/api/auth/login", json={"email": "dee@x.io", "password": "nope-nope"})
    unknown = api.post("/api/auth/login", json={"email": "zed@x.io", "password": PASSWORD})
    assert wrong.status_code == unknown.status_code == 401
    assert error_of(wrong) == error_of(unknown)
    assert error_of(wrong)["code"] == "invalid_credentials"


def test_simulated_accounts_cannot_log_in(api):  # noqa: F811
    api.app.state.store.users.register("Sim", "sim@x.io")
    answer = api.post("/api/auth/login", json={"email": "sim@x.io", "password": PASSWORD})
    assert answer.status_code == 401 and error_of(answer)["code"] == "invalid_credentials"


def test_refresh_rotates_and_a_replay_revokes_everything(api):  # noqa: F811
    _, tokens = sign_up(api, "Dee", "dee@x.io")
    first = tokens["refresh_token"]
    rotated = api.post("/api/auth/refresh", json={"refresh_token": first})
    assert rotated.status_code == 200 and rotated.json()["refresh_token"] != first
    fresh = rotated.json()["access_token"]
    assert api.get("/api/users/me", headers=as_user(fresh)).status_code == 200
    replay = api.post("/api/auth/refresh", json={"refresh_token": first})
    assert replay.status_code == 401 and error_of(replay)["code"] == "token_revoked"
    # A replayed refresh token means it leaked: the whole family is gone.
    assert error_of(api.get("/api/users/me", headers=as_user(fresh)))["code"] == "token_revoked"
    second = api.post("/api/auth/refresh", json={"refresh_token": rotated.json()["refresh_token"]})
    assert error_of(second)["code"] == "token_revoked"


def test_logout_revokes_access_and_refresh_tokens(api):  # noqa: F811
    _, tokens = sign_up(api, "Dee", "dee@x.io")
    headers = as_user(tokens["access_token"])
    assert api.post("/api/auth/logout", headers=headers).status_code == 204
    after = api.get("/api/users/me", headers=headers)
    assert after.status_code == 401 and error_of(after)["code"] == "token_revoked"
    refresh = api.post("/api/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert error_of(refresh)["code"] == "token_revoked"
    again = api.post("/api/auth/login", json={"email": "dee@x.io", "password": PASSWORD})
    assert api.get("/api/users/me", headers=as_user(again.json()["access_token"])).is_success


def test_expired_tokens_are_refused(api, clock):  # noqa: F811
    _, tokens = sign_up(api, "Dee", "dee@x.io")
    # Used once first: a token already checked is still refused once it has expired.
    assert api.get("/api/users/me", headers=as_user(tokens["access_token"])).is_success
    clock.advance(timedelta(minutes=16))
    late = api.get("/api/users/me", headers=as_user(tokens["access_token"]))
    assert late.status_code == 401 and error_of(late)["code"] == "token_expired"
    # The refresh token outlives the access token.
    assert api.post("/api/auth/refresh", json={"refresh_token": tokens["refresh_token"]}).is_success
    clock.advance(timedelta(days=15))
    stale = api.post("/api/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert error_of(stale)["code"] == "token_expired"


def test_forged_and_misused_tokens_are_invalid(api):  # noqa: F811
    user_id, tokens = sign_up(api, "Dee", "dee@x.io")
    claims = jwt.decode(tokens["access_token"], options={"verify_signature": False})
    forged = jwt.encode(
        {**claims, "sub": "a-000001"},
        "not-the-secret-but-long-enough-to-sign-with",
        algorithm="HS256",
    )
    unsigned = jwt.encode(claims, None, algorithm="none")
    for token in (forged, unsigned, tokens["refresh_token"], "garbage"):
        answer = api.get("/api/users/me", headers=as_user(token))
        assert answer.status_code == 401 and error_of(answer)["code"] == "invalid_token"
    wrong_kind = api.post("/api/auth/refresh", json={"refresh_token": tokens["access_token"]})
    assert error_of(wrong_kind)["code"] == "invalid_token"


def test_customers_cannot_sell_and_sellers_cannot_buy(api):  # noqa: F811
    seller = sign_up(api, "Sal", "sal@x.io", "seller")[1]["access_token"]
    customer = sign_up(api, "Cy", "cy@x.io")[1]["access_token"]
    product = api.post("/api/products", json={"title": "Lamp", "price": 2}, headers=as_user(seller))
    assert product.status_code == 201
    cart = api.post(
        "/api/cart/items",
        json={"product_id": product.json()["product_id"]},
        headers=as_user(seller),
    )
    assert cart.status_code == 403 and error_of(cart)["code"] == "role_not_allowed"
    assert api.get("/api/cart", headers=as_user(customer)).status_code == 200


def test_every_protected_route_is_in_the_policy(api):  # noqa: F811
    """A route that depends on the acting user but is missing from the table would refuse
    everyone; this catches it at test time instead."""
    for route in api.app.routes:
        dependant = getattr(route, "dependant", None)
        if dependant is None:
            continue
        calls = {d.call for d in dependant.dependencies}
        if calls & {acting_user, user_or_guest}:  # guest routes still check a token's role
            for method in route.methods:
                assert (method, route.path) in ROLES_OF_ROUTE, (method, route.path)
