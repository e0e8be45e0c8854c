"""The gateway's edges: per-client rate limits, request ids, JSON access logs, the error schema."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import exc as db_errors

from storeloop.request_ids import accept_or_new
from storeloop.settings import Settings
from tests.unit.transactional.test_tx_api import CHEAP_HASHER, as_user, error_of, sign_up
from transactional.common.cache import MemoryCache
from transactional.gateway.app import create_app
from transactional.gateway.json_logs import ACCESS_LOGGER, JsonFormatter
from transactional.gateway.rate_limit import RateLimit, RateLimiter

# One token in about eleven days: no test sees a token come back while it runs.
NO_REFILL = 1e-6


def gateway(store, tmp_path, limit: RateLimit | None = None) -> TestClient:
    settings = Settings(data_dir=tmp_path, database_url="sqlite://", serving_port=9)
    return TestClient(create_app(settings, store=store, hasher=CHEAP_HASHER, rate_limit=limit))


@pytest.fixture
def api(store, tmp_path) -> Iterator[TestClient]:
    with gateway(store, tmp_path) as client:
        yield client


def test_over_the_limit_is_429_with_retry_after_per_client(store, tmp_path):
    with gateway(store, tmp_path, RateLimit(capacity=4, refill_per_s=NO_REFILL)) as api:
        # Four anonymous requests from one address: register and login, twice.
        ann = sign_up(api, "Ann", "ann@x.io")[1]["access_token"]
        bob = sign_up(api, "Bob", "bob@x.io")[1]["access_token"]
        for _ in range(4):
            assert api.get("/api/cart", headers=as_user(ann)).status_code == 200
        refused = api.get("/api/cart", headers=as_user(ann))
        assert refused.status_code == 429 and error_of(refused)["code"] == "rate_limited"
        assert 1 <= int(refused.headers["Retry-After"]) <= 1 / NO_REFILL + 1
        assert refused.headers["X-RateLimit-Limit"] == "4"
        assert refused.headers["X-RateLimit-Remaining"] == "0"
        # Bob is another client: Ann's count is not his.
        assert api.get("/api/cart", headers=as_user(bob)).status_code == 200
        # The anonymous address spent its four on the sign-ups.
        assert api.get("/api/products").status_code == 429
        assert api.get("/health").status_code == 200


def test_default_limit_is_generous(api):
    assert all(api.get("/api/products").status_code == 200 for _ in range(30))


def test_allowed_responses_carry_the_bucket_headers(store, tmp_path):
    with gateway(store, tmp_path, RateLimit(capacity=5, refill_per_s=NO_REFILL)) as api:
        first, second = api.get("/api/products"), api.get("/api/products")
    assert [r.headers["X-RateLimit-Remaining"] for r in (first, second)] == ["4", "3"]
    assert first.headers["X-RateLimit-Limit"] == "5" and "Retry-After" not in first.headers
    assert int(first.headers["X-RateLimit-Reset"]) >= 1


def test_bucket_refills_at_its_rate_and_retry_after_is_time_to_one_token():
    clock = {"now": 100.0}
    limiter = RateLimiter(MemoryCache(now=lambda: clock["now"]), RateLimit(3, refill_per_s=0.5))
    assert all(limiter.check("ip:a").allowed for _ in range(3))  # the burst
    refused = limiter.check("ip:a")
    assert not refused.allowed and refused.retry_after_s == 2  # 0.5 tokens/s: 2 s to one token
    assert refused.headers()["Retry-After"] == "2" and refused.reset_s == 6
    assert limiter.check("ip:b").allowed  # another client, another bucket
    clock["now"] = 101.0  # half a token back: still refused, 1 s to go
    assert limiter.check("ip:a").retry_after_s == 1
    clock["now"] = 102.0
    assert limiter.check("ip:a").allowed
    assert not limiter.check("ip:a").allowed
    clock["now"] = 1000.0  # long idle: full again, never more than the capacity
    assert [limiter.check("ip:a").allowed for _ in range(4)] == [True, True, True, False]


@pytest.mark.parametrize("bad", [dict(capacity=0), dict(refill_per_s=0)])
def test_nonsense_limits_are_refused(bad):
    with pytest.raises(ValueError):
        RateLimit(**bad)


def test_request_id_is_echoed_or_made(api):
    echoed = api.get("/api/products", headers={"X-Request-Id": "trace-42"})
    assert echoed.headers["X-Request-Id"] == "trace-42"
    made = api.get("/api/products").headers["X-Request-Id"]
    assert made and made != api.get("/api/products").headers["X-Request-Id"]
    for bad in ("x" * 129, "has space", "caf\u00e9"):
        assert accept_or_new(bad) != bad
    assert api.get("/health", headers={"X-Request-Id": "x" * 129}).headers["X-Request-Id"] != (
        "x" * 129
    )


def test_error_bodies_carry_the_request_id(api):
    answer = api.get("/api/cart", headers={"X-Request-Id": "trace-7"})
    assert answer.status_code == 401
    assert answer.json()["error"]["request_id"] == "trace-7"
    assert error_of(answer)["code"] == "unauthenticated"


def test_unhandled_errors_are_500_in_the_error_format(api):
    def explode() -> None:
        raise RuntimeError("boom")

    api.app.add_api_route("/api/explode", explode)
    answer = api.get("/api/explode", headers={"X-Request-Id": "trace-500"})
    assert answer.status_code == 500 and error_of(answer)["code"] == "internal_error"
    assert answer.headers["X-Request-Id"] == "trace-500" and "boom" not in answer.text


@pytest.mark.parametrize(
    "away",
    [
        db_errors.OperationalError("SELECT 1", {}, ConnectionError("server closed the connection")),
        db_errors.InterfaceError("SELECT 1", {}, ConnectionError("connection already closed")),
        db_errors.TimeoutError("QueuePool limit reached"),
    ],
)
def test_a_database_away_is_503_with_retry_after(api, away):
    def lose_the_database() -> None:
        raise away

    api.app.add_api_route("/api/away", lose_the_database)
    answer = api.get("/api/away")
    assert answer.status_code == 503 and error_of(answer)["code"] == "database_unavailable"
    assert answer.headers["Retry-After"] == "1" and "closed" not in answer.text


def test_past_its_in_flight_limit_a_worker_sheds_load_with_503_and_retry_after(store, tmp_path):
    settings = Settings(
        data_dir=tmp_path, database_url="sqlite://", serving_port=9, gateway_max_in_flight=2
    )
    app = create_app(settings, store=store, hasher=CHEAP_HASHER)
    release, holding = asyncio.Event(), []

    async def slow() -> dict:
        holding.append(1)
        await release.wait()
        return {"ok": True}

    app.add_api_route("/api/slow", slow)

    async def scenario() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gw") as http:
            held = [asyncio.create_task(http.get("/api/slow")) for _ in range(2)]
            while len(holding) < 2:
                await asyncio.sleep(0.01)
            refused = await http.get("/api/products")
            health = await http.get("/health")  # probes are never shed
            release.set()
            finished = await asyncio.gather(*held)
            after = await http.get("/api/products")  # room again once they are answered
            return [refused, health, after, *finished]

    refused, health, after, *held = asyncio.run(scenario())
    assert refused.status_code == 503 and error_of(refused)["code"] == "overloaded"
    assert refused.headers["Retry-After"] == "1"
    assert health.status_code == 200 and after.status_code == 200
    assert [answer.status_code for answer in held] == [200, 200]


def test_one_json_log_line_per_request(api, caplog):
    user_id, tokens = sign_up(api, "Lou", "lou@x.io")
    caplog.set_level(logging.INFO, logger=ACCESS_LOGGER)
    caplog.clear()  # the sign-up requests log too when an earlier test set INFO globally
    api.get("/api/cart", headers={**as_user(tokens["access_token"]), "X-Request-Id": "trace-9"})
    logged = [
        json.loads(JsonFormatter().format(r)) for r in caplog.records if r.name == ACCESS_LOGGER
    ]
    lines = [line for line in logged if line["request_id"] == "trace-9"]
    assert len(lines) == 1
    line = lines[0]
    assert (line["method"], line["path"], line["status"]) == ("GET", "/api/cart", 200)
    assert (line["request_id"], line["user_id"]) == ("trace-9", user_id)
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0


def test_openapi_documents_the_error_format(api):
    schema = api.get("/openapi.json").json()
    assert "ErrorResponse" in schema["components"]["schemas"]
    assert "HTTPValidationError" not in schema["components"]["schemas"]
    create = schema["paths"]["/api/products"]["post"]["responses"]
    for status in ("400", "401", "403", "404", "409", "422", "429"):
        ref = create[status]["content"]["application/json"]["schema"]["$ref"]
        assert ref.endswith("/ErrorResponse")
    assert "201" in create or "200" in create
