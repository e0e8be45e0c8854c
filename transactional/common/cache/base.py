"""What every cache offers: text values by key, with an optional time to live in seconds, atomic
counters and token buckets (the rate limiter's state, shared by every gateway process)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from enum import StrEnum


class CacheErrorCode(StrEnum):
    NOT_A_COUNTER = "cache_not_a_counter"
    UNAVAILABLE = "cache_unavailable"


class CacheError(RuntimeError):
    """Infrastructure, not a domain rule: the gateway answers it with a 5xx, never a 4xx."""

    def __init__(self, code: CacheErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class TokenTake:
    """One attempt to take a token: `remaining` whole tokens left after it, and when refused,
    the seconds until one token is back; `full_in_s`: seconds until the bucket is full again."""

    allowed: bool
    remaining: int
    retry_after_s: float
    full_in_s: float


class Cache(ABC):
    # True when every call is a memory access: callers may then skip handing it to a thread.
    local: bool = False

    @abstractmethod
    def get(self, key: str) -> str | None:
        """The value, or None when absent or expired."""

    @abstractmethod
    def set(self, key: str, value: str, ttl: float | None = None) -> None:
        """Stores the value; with `ttl`, it disappears after that many seconds."""

    @abstractmethod
    def delete(self, key: str) -> bool:
        """True when the key was there."""

    @abstractmethod
    def incr(self, key: str, amount: int = 1, ttl: float | None = None) -> int:
        """Adds atomically and returns the new count; a missing key counts from 0, and `ttl`
        applies only when this call creates the key (a fixed window, as rate limits want)."""

    @abstractmethod
    def take_token(self, key: str, capacity: int, refill_per_s: float) -> TokenTake:
        """Atomically refills the bucket at `key` by the time since its last take (up to
        `capacity`; a missing bucket is full), then takes one token if there is one. The key
        disappears once the bucket would be full again, so idle clients cost no memory."""

    def close(self) -> None:
        """Releases connections; the in-process cache has none."""
        return None


def refill_and_take(
    tokens: float | None, last_s: float, now_s: float, capacity: int, refill_per_s: float
) -> tuple[float, TokenTake]:
    """The token-bucket step every adapter applies (Redis runs the same steps in Lua): returns
    the tokens left and the answer. `tokens` None is a bucket nobody used lately: full."""
    level = float(capacity) if tokens is None else tokens
    level = min(float(capacity), level + max(0.0, now_s - last_s) * refill_per_s)
    allowed = level >= 1.0
    if allowed:
        level -= 1.0
    wait = 0.0 if allowed else (1.0 - level) / refill_per_s
    full_in = (capacity - level) / refill_per_s
    return level, TokenTake(allowed, int(level), wait, full_in)
