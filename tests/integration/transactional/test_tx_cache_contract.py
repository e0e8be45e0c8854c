"""One contract for every cache adapter: the in-process one and Redis behave the same."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from storeloop.settings import Settings
from transactional.common.cache import Cache, CacheError, MemoryCache, make_cache
from transactional.common.cache.redis_cache import RedisCache


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
def cache(request, tmp_path) -> Iterator[Cache]:
    if request.param == "memory":
        yield make_cache(Settings(data_dir=tmp_path))
        return
    url = request.getfixturevalue("redis_url")
    # A namespace per test: no flush of a database somebody else might share.
    namespace = f"test-{uuid.uuid4().hex}:"
    built = make_cache(Settings(data_dir=tmp_path, cache_backend="redis", redis_url=url), namespace)
    assert isinstance(built, RedisCache)
    try:
        built.get("ping")
    except CacheError as error:
        pytest.fail(f"Redis at {url} is not usable: {error}")
    yield built
    for key in built._client.scan_iter(match=namespace + "*"):
        built._client.delete(key)
    built.close()


def test_default_backend_is_in_process(tmp_path):
    assert isinstance(make_cache(Settings(data_dir=tmp_path)), MemoryCache)


def test_set_get_delete(cache):
    assert cache.get("cart:c-1") is None
    cache.set("cart:c-1", '{"items": 2}')
    assert cache.get("cart:c-1") == '{"items": 2}'
    cache.set("cart:c-1", "overwritten")
    assert cache.get("cart:c-1") == "overwritten"
    assert cache.delete("cart:c-1") is True
    assert cache.delete("cart:c-1") is False
    assert cache.get("cart:c-1") is None


def test_values_expire_after_their_ttl(cache):
    cache.set("short", "v", ttl=0.15)
    cache.set("long", "v", ttl=30)
    cache.set("forever", "v")
    assert cache.get("short") == "v"
    time.sleep(0.3)
    assert cache.get("short") is None
    assert cache.get("long") == "v" and cache.get("forever") == "v"


def test_incr_counts_and_the_window_keeps_its_first_expiry(cache):
    assert cache.incr("hits", ttl=0.3) == 1
    assert cache.incr("hits", 4, ttl=0.3) == 5
    time.sleep(0.15)
    assert cache.incr("hits", ttl=0.3) == 6  # not a new window: expiry unchanged
    time.sleep(0.3)
    assert cache.incr("hits", ttl=0.3) == 1
    assert cache.incr("no-ttl") == 1 and cache.incr("no-ttl") == 2


def test_incr_refuses_a_value_that_is_not_a_count(cache):
    cache.set("name", "carl")
    with pytest.raises(CacheError) as raised:
        cache.incr("name")
    assert raised.value.code == "cache_not_a_counter"
    assert cache.get("name") == "carl"


def test_concurrent_incr_loses_no_update(cache):
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda _: cache.incr("concurrent", ttl=60), range(400)))
    assert cache.get("concurrent") == "400"


def test_token_bucket_gives_its_burst_then_refuses_with_time_to_one_token(cache):
    takes = [cache.take_token("bucket:ann", capacity=3, refill_per_s=0.01) for _ in range(4)]
    assert [t.allowed for t in takes] == [True, True, True, False]
    assert [t.remaining for t in takes] == [2, 1, 0, 0]
    assert takes[3].retry_after_s == pytest.approx(100, rel=0.01)  # 1 token at 0.01/s
    assert takes[3].full_in_s == pytest.approx(300, rel=0.01)
    assert cache.take_token("bucket:bob", capacity=3, refill_per_s=0.01).allowed


def test_token_bucket_refills_at_its_rate_up_to_capacity(cache):
    for _ in range(2):
        assert cache.take_token("bucket:r", capacity=2, refill_per_s=10).allowed
    assert not cache.take_token("bucket:r", capacity=2, refill_per_s=10).allowed
    time.sleep(0.25)  # 2.5 tokens' worth, capped at 2
    outcomes = [cache.take_token("bucket:r", capacity=2, refill_per_s=10).allowed for _ in range(3)]
    assert outcomes == [True, True, False]


def test_a_full_bucket_leaves_no_key_behind(cache):
    cache.take_token("bucket:idle", capacity=1, refill_per_s=20)  # full again in 50 ms
    time.sleep(0.2)
    assert cache.get("bucket:idle") is None


def test_concurrent_takes_never_exceed_the_capacity(cache):
    def take(_: int) -> bool:
        return cache.take_token("bucket:race", capacity=50, refill_per_s=1e-6).allowed

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(take, range(300)))
    assert outcomes.count(True) == 50
