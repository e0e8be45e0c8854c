"""The cache port: in-process by default, Redis in the scale-out mode (`settings.cache_backend`)."""

from __future__ import annotations

from storeloop.settings import Settings
from transactional.common.cache.base import Cache, CacheError
from transactional.common.cache.memory import MemoryCache

__all__ = ["Cache", "CacheError", "MemoryCache", "make_cache"]


def make_cache(settings: Settings, namespace: str = "storeloop:") -> Cache:
    if settings.cache_backend == "redis":
        # Imported here: the embedded default never needs the Redis client.
        from transactional.common.cache.redis_cache import RedisCache

        return RedisCache(settings.redis_url, namespace)
    return MemoryCache()
