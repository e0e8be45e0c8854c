"""Bad input on every account route: a 4xx in the one error format, and nothing written."""

from __future__ import annotations

import pytest

from tests.unit.transactional.test_tx_api import (  # noqa: F401  (fixtures)
    PASSWORD,
    api,
    as_user,
    error_of,
    sign_up,
)

GOOD = {"name": "Al", "email": "al@x.io", "password": PASSWORD}


def written(store, count) -> tuple[int, ...]:
    tables = ("users", "user_credentials", "refresh_tokens", "outbox")
    return tuple(count(store, table) for table in tables)


@pytest.mark.parametrize(
    ("route", "body", "status", "field"),
    [
        ("/api/auth/register", {**GOOD, "name": 7}, 422, "name"),
        ("/api/auth/register", {**GOOD, "email": ["a@b.c"]}, 422, "email"),
        ("/api/auth/register", {**GOOD, "password": "short"}, 422, "password"),
        ("/api/auth/register", {**GOOD, "password": "x" * 5000}, 422, "password"),
        ("/api/auth/register", {**GOOD, "name": "n" * 201}, 422, "name"),
        ("/api/auth/register", {**GOOD, "role": "admin"}, 422, "role"),
        ("/api/auth/register", {**GOOD, "is_admin": True}, 422, "is_admin"),
        ("/api/auth/register", {**GOOD, "email": "not-an-email"}, 422, "email"),
        ("/api/auth/login", {"email": "al@x.io"}, 422, "password"),
        ("/api/auth/login", {"email": 1, "password": PASSWORD}, 422, "email"),
        ("/api/auth/refresh", {"refresh_token": ""}, 422, "refresh_token"),
        ("/api/auth/refresh", {"refresh_token": "x" * 5000}, 422, "refresh_token"),
        ("/api/auth/refresh", {"refresh_token": "garbage"}, 401, "Authorization"),
        ("/api/auth/register", None, 422, "body"),
    ],
)
def test_bad_bodies_name_the_field_and_write_nothing(api, store, count, route, body, status, field):  # noqa: F811
    before = written(store, count)
    answer = api.post(route, json=body)
    assert answer.status_code == status and error_of(answer)["field"] == field
    assert written(store, count) == before


@pytest.mark.parametrize("route", ["/api/auth/register", "/api/auth/login", "/api/auth/refresh"])
def test_malformed_json_is_400(api, store, count, route):  # noqa: F811
    before = written(store, count)
    answer = api.post(route, content=b'{"email": "a', headers={"content-type": "application/json"})
    assert answer.status_code == 400 and error_of(answer)["code"] == "malformed_json"
    assert written(store, count) == before


def test_a_duplicate_email_is_409_and_adds_no_second_account(api, store, count):  # noqa: F811
    sign_up(api, "Al", "al@x.io")
    before = written(store, count)
    again = api.post("/api/auth/register", json={**GOOD, "email": "AL@x.io"})
    assert again.status_code == 409 and error_of(again)["code"] == "email_taken"
    assert written(store, count) == before


def test_logout_and_me_need_a_valid_token(api, store, count):  # noqa: F811
    before = written(store, count)
    for headers in ({}, as_user("forged.token.here"), {"Authorization": "Basic YWw6cHc="}):
        for method, route in (("POST", "/api/auth/logout"), ("GET", "/api/users/me")):
            answer = api.request(method, route, headers=headers)
            assert answer.status_code == 401, (method, route, headers)
            assert error_of(answer)["code"] in {"unauthenticated", "invalid_token"}
    assert written(store, count) == before
