"""Rate limits across gateway processes: two apps counting in one Redis share a client's limit."""

from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient

from storeloop.settings import Settings
from tests.unit.transactional.test_tx_api import CHEAP_HASHER, error_of
from transactional.common.cache import make_cache
from transactional.common.cache.redis_cache import RedisCache
from transactional.gateway.app import create_app
from transactional.gateway.rate_limit import RateLimit

pytestmark = pytest.mark.redis

# Long enough that the test never straddles two windows (a new window would reset the count).
LIMIT = RateLimit(requests=3, window_s=1e6)


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
        # Another address is another client, on either gateway.
        other = TestClient(first, client=("203.0.113.7", 4000))
        assert other.get("/api/products").status_code == 200


def test_redis_backend_is_chosen_by_settings(redis_settings, file_store):
    app = create_app(redis_settings, file_store, hasher=CHEAP_HASHER)
    assert isinstance(app.state.cache, RedisCache)
    with TestClient(app) as client:
        assert client.get("/api/products").status_code == 200
