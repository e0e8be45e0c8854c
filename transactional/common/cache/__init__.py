"""The cache port: in-process by default, Redis in the scale-out mode (`settings.cache_backend`)."""

from __future__ import annotations

from storeloop.settings import Settings
from transactional.common.cache.base import Cache, CacheError, TokenTake
from transactional.common.cache.memory import MemoryCache

__all__ = ["Cache", "CacheError", "MemoryCache", "TokenTake", "make_cache"]


def make_cache(settings: Settings, namespace: str | None = None) -> Cache:
    """`namespace` (default `settings.redis_namespace`) prefixes every Redis key."""
    if settings.cache_backend == "redis":
        # Imported here: the embedded default never needs the Redis client.
        from transactional.common.cache.redis_cache import RedisCache

        return RedisCache(settings.redis_url, namespace or settings.redis_namespace)
    return MemoryCache()
