"""Per-client rate limits: a token bucket kept in the cache port (atomic on both adapters), so
several gateway processes sharing one Redis share one bucket per client."""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

from storeloop.settings import Settings
from transactional.common.cache import Cache, CacheError, TokenTake

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RateLimit:
    """A burst of `capacity` requests, then `refill_per_s` a second per client; generous by
    default, so that only a runaway client is slowed, never a shop's ordinary traffic."""

    capacity: int = 100
    refill_per_s: float = 50.0

    def __post_init__(self) -> None:
        if self.capacity < 1 or self.refill_per_s <= 0:
            raise ValueError(f"a rate limit needs capacity >= 1 and refill_per_s > 0: {self}")

    @classmethod
    def from_settings(cls, settings: Settings) -> RateLimit:
        return cls(settings.rate_limit_capacity, settings.rate_limit_refill_per_s)


@dataclass(frozen=True)
class Verdict:
    """What the gateway tells the client, in headers on every limited route."""

    allowed: bool
    limit: int
    remaining: int
    retry_after_s: int  # whole seconds until one token is back; 0 when allowed
    reset_s: int  # whole seconds until the bucket is full again

    def headers(self) -> dict[str, str]:
        found = {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(self.reset_s),
        }
        if not self.allowed:
            found["Retry-After"] = str(self.retry_after_s)
        return found


class RateLimiter:
    def __init__(self, cache: Cache, limit: RateLimit) -> None:
        self.cache = cache
        self.limit = limit

    def check(self, client: str) -> Verdict | None:
        """Takes one token for `client`; None when the cache is down (no limit, no headers)."""
        try:
            taken = self.cache.take_token(
                f"rate:{client}", self.limit.capacity, self.limit.refill_per_s
            )
        except CacheError as error:
            # Fail open: a cache outage must not take the whole shop down with it.
            log.warning("rate limit skipped: %s", error)
            return None
        return self._verdict(taken)

    def _verdict(self, taken: TokenTake) -> Verdict:
        retry = 0 if taken.allowed else max(1, math.ceil(taken.retry_after_s))
        return Verdict(
            taken.allowed, self.limit.capacity, taken.remaining, retry, math.ceil(taken.full_in_s)
        )
