"""Scale-out mode across gateway processes: two apps on one Redis share each client's rate limit
bucket and the carts."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient

from storeloop.settings import Settings
from tests.unit.transactional.test_tx_api import CHEAP_HASHER, PASSWORD, as_user, error_of, sign_up
from transactional.common.cache import make_cache
from transactional.common.cache.redis_cache import RedisCache
from transactional.gateway.app import create_app
from transactional.gateway.rate_limit import RateLimit
from transactional.payments.sandbox import APPROVE_CARD

pytestmark = pytest.mark.redis

# One token back in about eleven days: none comes back while the test runs.
LIMIT = RateLimit(capacity=3, refill_per_s=1e-6)


@pytest.fixture
def redis_settings(tmp_path, redis_url) -> Settings:
    return Settings(data_dir=tmp_path, cache_backend="redis", redis_url=redis_url, serving_port=9)


def test_two_gateways_share_one_count(redis_settings, file_store):
    # One namespace per run, shared by both apps: earlier runs' counts cannot leak in.
    namespace = f"test-{uuid.uuid4().hex}:"
    first = create_app(
        redis_settings, file_store, hasher=CHEAP_HASHER, rate_limit=LIMIT,
        cache=make_cache(redis_settings, namespace),
    )  # fmt: skip
    second = create_app(
        redis_settings, file_store, hasher=CHEAP_HASHER, rate_limit=LIMIT,
        cache=make_cache(redis_settings, namespace),
    )  # fmt: skip
    with TestClient(first) as one, TestClient(second) as two:
        assert [c.get("/api/products").status_code for c in (one, two, one)] == [200, 200, 200]
        refused = two.get("/api/products")
        assert refused.status_code == 429 and error_of(refused)["code"] == "rate_limited"
        assert int(refused.headers["Retry-After"]) >= 1
        assert refused.headers["X-RateLimit-Remaining"] == "0"
        # Another address is another client, on either gateway.
        other = TestClient(first, client=("203.0.113.7", 4000))
        assert other.get("/api/products").status_code == 200


def test_redis_backend_is_chosen_by_settings(redis_settings, file_store):
    app = create_app(redis_settings, file_store, hasher=CHEAP_HASHER)
    assert isinstance(app.state.cache, RedisCache)
    with TestClient(app) as client:
        assert client.get("/api/products").status_code == 200


def test_carts_in_redis_over_http_guest_merge_and_checkout(tmp_path, redis_url, file_store):
    # Two gateways sharing one Redis: a guest fills a cart on one, logs in and pays on the other.
    config = Settings(
        data_dir=tmp_path,
        cache_backend="redis",
        cart_backend="redis",
        redis_url=redis_url,
        redis_namespace=f"test-{uuid.uuid4().hex}:",
        serving_port=9,
    )
    seller = file_store.users.register("Sal", "sal@example.com", "seller")
    lamp = file_store.catalog.create_product(
        seller, "Lamp", "", "", "", Decimal("4.00"), initial_stock=3
    )
    first = create_app(config, file_store, hasher=CHEAP_HASHER)
    second = create_app(config, file_store, hasher=CHEAP_HASHER)
    try:
        with TestClient(first) as one, TestClient(second) as two:
            guest = one.post("/api/cart/items", json={"product_id": lamp, "quantity": 2})
            cart_id = guest.json()["cart_id"]
            assert two.get("/api/cart", headers={"X-Cart-Id": cart_id}).json()["total"] == "8.00"
            two.cookies.clear()  # viewing set the cart cookie: this login must not merge yet
            _user_id, _tokens = sign_up(two, "Gus", "gus@x.io")
            merged = two.post(
                "/api/auth/login",
                json={"email": "gus@x.io", "password": PASSWORD},
                headers={"X-Cart-Id": cart_id},
            )
            token = merged.json()["access_token"]
            assert merged.json()["cart_merge"]["changes"] == []
            paid = one.post(
                "/api/orders", json={"card_number": APPROVE_CARD}, headers=as_user(token)
            )
            assert paid.status_code == 201 and paid.json()["status"] == "paid"
            # Cleared once the order committed, as every gateway sees it.
            assert two.get("/api/cart", headers=as_user(token)).json()["items"] == []
        assert file_store.inventory.stock_level(lamp) == 1
        assert not any(
            first.state.cache._client.scan_iter(match=f"{config.redis_namespace}cart:g-*")
        )
    finally:
        client = first.state.cache._client
        for key in client.scan_iter(match=config.redis_namespace + "*"):
            client.delete(key)
