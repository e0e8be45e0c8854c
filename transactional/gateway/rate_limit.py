"""Per-client rate limits: a fixed window counted with the cache port's atomic `incr`, so several
gateway processes sharing one Redis share one count per client."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from transactional.common.cache import Cache, CacheError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RateLimit:
    """`requests` per `window_s` seconds per client; generous by default, so that only a runaway
    client is slowed, never a shop's ordinary traffic."""

    requests: int = 100
    window_s: float = 1.0

    def __post_init__(self) -> None:
        if self.requests < 1 or self.window_s <= 0:
            raise ValueError(f"a rate limit needs requests >= 1 and window_s > 0: {self}")


class RateLimiter:
    def __init__(
        self, cache: Cache, limit: RateLimit, now: Callable[[], float] = time.time
    ) -> None:
        # Wall time, not monotonic: windows must line up across processes and machines.
        self._cache = cache
        self._limit = limit
        self._now = now

    def retry_after(self, client: str) -> int | None:
        """Counts one request of `client`: None when allowed, else whole seconds to wait."""
        now = self._now()
        window = math.floor(now / self._limit.window_s)
        key = f"rate:{client}:{window}"
        try:
            count = self._cache.incr(key, ttl=self._limit.window_s)
        except CacheError as error:
            # Fail open: a cache outage must not take the whole shop down with it.
            log.warning("rate limit skipped: %s", error)
            return None
        if count <= self._limit.requests:
            return None
        window_ends = (window + 1) * self._limit.window_s
        return max(1, math.ceil(window_ends - now))
