"""Redis cache for several gateway processes: one shared store, every key under a namespace."""

from __future__ import annotations

import redis

from transactional.common.cache.base import Cache, CacheError, CacheErrorCode

# Creates the key with its expiry only when absent, then counts: one atomic step on the server.
_INCR = """
redis.call('SET', KEYS[1], 0, 'NX', 'PX', ARGV[2])
return redis.call('INCRBY', KEYS[1], ARGV[1])
"""
_INCR_NO_TTL = "return redis.call('INCRBY', KEYS[1], ARGV[1])"


class RedisCache(Cache):
    def __init__(self, url: str, namespace: str = "storeloop:") -> None:
        # The client connects lazily, on the first command: building it does no I/O.
        self._client = redis.Redis.from_url(url, decode_responses=True, socket_timeout=5)
        self._namespace = namespace
        self._incr_with_ttl = self._client.register_script(_INCR)
        self._incr = self._client.register_script(_INCR_NO_TTL)

    def get(self, key: str) -> str | None:
        return self._call(self._client.get, self._key(key))

    def set(self, key: str, value: str, ttl: float | None = None) -> None:
        self._call(self._client.set, self._key(key), value, px=_millis(ttl))

    def delete(self, key: str) -> bool:
        return bool(self._call(self._client.delete, self._key(key)))

    def incr(self, key: str, amount: int = 1, ttl: float | None = None) -> int:
        if ttl is None:
            return int(self._call(self._incr, keys=[self._key(key)], args=[amount]))
        return int(
            self._call(self._incr_with_ttl, keys=[self._key(key)], args=[amount, _millis(ttl)])
        )

    def close(self) -> None:
        self._client.close()

    def _key(self, key: str) -> str:
        return self._namespace + key

    @staticmethod
    def _call(command, *args, **kwargs):  # type: ignore[no-untyped-def]
        try:
            return command(*args, **kwargs)
        except redis.ResponseError as error:
            if "not an integer" in str(error):
                raise CacheError(CacheErrorCode.NOT_A_COUNTER, str(error)) from None
            raise
        except redis.ConnectionError as error:
            raise CacheError(CacheErrorCode.UNAVAILABLE, f"redis unreachable: {error}") from error


def _millis(ttl: float | None) -> int | None:
    # At least 1 ms: Redis refuses an expiry of 0.
    return None if ttl is None else max(1, int(ttl * 1000))
