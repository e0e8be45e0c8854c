"""Redis cache for several gateway processes: one shared store, every key under a namespace."""

from __future__ import annotations

import redis

from transactional.common.cache.base import Cache, CacheError, CacheErrorCode, TokenTake

# Creates the key with its expiry only when absent, then counts: one atomic step on the server.
_INCR = """
redis.call('SET', KEYS[1], 0, 'NX', 'PX', ARGV[2])
return redis.call('INCRBY', KEYS[1], ARGV[1])
"""
_INCR_NO_TTL = "return redis.call('INCRBY', KEYS[1], ARGV[1])"
# The token bucket of base.refill_and_take, in one script so that no other gateway process can
# take between the read and the write; the server's clock, so every process agrees on the time.
# Returns strings: Redis would truncate Lua numbers to integers.
_TAKE_TOKEN = """
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local level = capacity
if state[1] then
  level = math.min(capacity, tonumber(state[1]) + math.max(0, now - tonumber(state[2])) * rate)
end
local allowed = 0
if level >= 1 then
  allowed = 1
  level = level - 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(level), 'at', tostring(now))
local full_in = (capacity - level) / rate
redis.call('PEXPIRE', KEYS[1], math.max(1, math.ceil(full_in * 1000)))
return {allowed, tostring(level), tostring(full_in)}
"""  # noqa: S105 - a Lua script, not a password


class RedisCache(Cache):
    def __init__(self, url: str, namespace: str = "storeloop:") -> None:
        # The client connects lazily, on the first command: building it does no I/O.
        self._client = redis.Redis.from_url(url, decode_responses=True, socket_timeout=5)
        self._namespace = namespace
        self._incr_with_ttl = self._client.register_script(_INCR)
        self._incr = self._client.register_script(_INCR_NO_TTL)
        self._take_token = self._client.register_script(_TAKE_TOKEN)

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

    def take_token(self, key: str, capacity: int, refill_per_s: float) -> TokenTake:
        allowed, level_text, full_in_text = self._call(
            self._take_token, keys=[self._key(key)], args=[capacity, repr(float(refill_per_s))]
        )
        level = float(level_text)
        wait = 0.0 if allowed else (1.0 - level) / refill_per_s
        return TokenTake(bool(allowed), int(level), wait, float(full_in_text))

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
