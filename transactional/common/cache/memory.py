"""In-process cache: a dict behind a lock, expiry checked on read; one process, no server."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from transactional.common.cache.base import (
    Cache,
    CacheError,
    CacheErrorCode,
    TokenTake,
    refill_and_take,
)

# Expired keys nobody reads again are swept once the dict grows past this many entries.
SWEEP_AT = 10_000


class MemoryCache(Cache):
    local = True

    def __init__(self, now: Callable[[], float] = time.monotonic) -> None:
        self._now = now
        self._lock = threading.Lock()
        self._values: dict[str, tuple[str, float | None]] = {}
        self._sweep_at = SWEEP_AT

    def get(self, key: str) -> str | None:
        with self._lock:
            return self._live(key)

    def set(self, key: str, value: str, ttl: float | None = None) -> None:
        with self._lock:
            self._put(key, value, ttl)

    def delete(self, key: str) -> bool:
        with self._lock:
            present = self._live(key) is not None
            self._values.pop(key, None)
            return present

    def incr(self, key: str, amount: int = 1, ttl: float | None = None) -> int:
        with self._lock:
            current = self._live(key)
            if current is None:
                self._put(key, str(amount), ttl)
                return amount
            try:
                count = int(current) + amount
            except ValueError:
                raise CacheError(CacheErrorCode.NOT_A_COUNTER, f"{key!r} is not a count") from None
            # The window keeps the expiry it was created with.
            self._values[key] = (str(count), self._values[key][1])
            return count

    def take_token(self, key: str, capacity: int, refill_per_s: float) -> TokenTake:
        with self._lock:
            now = self._now()
            # Stored as "tokens last_at" text: the bucket expires and is swept like any key.
            stored = self._live(key)
            tokens, last = None, now
            if stored is not None:
                tokens, last = (float(part) for part in stored.split())
            level, answer = refill_and_take(tokens, last, now, capacity, refill_per_s)
            self._put(key, f"{level!r} {now!r}", max(answer.full_in_s, 0.001))
            return answer

    def _live(self, key: str) -> str | None:
        entry = self._values.get(key)
        if entry is None:
            return None
        value, expires_at = entry
        if expires_at is not None and expires_at <= self._now():
            del self._values[key]
            return None
        return value

    def _put(self, key: str, value: str, ttl: float | None) -> None:
        self._values[key] = (value, None if ttl is None else self._now() + ttl)
        if len(self._values) >= self._sweep_at:
            now = self._now()
            self._values = {k: e for k, e in self._values.items() if e[1] is None or e[1] > now}
            # Mostly live keys: sweep again only after the dict doubles, not on every write.
            self._sweep_at = max(SWEEP_AT, 2 * len(self._values))
