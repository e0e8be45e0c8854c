"""What every cache offers: text values by key, with an optional time to live in seconds."""

from __future__ import annotations

from abc import ABC, abstractmethod
from enum import StrEnum


class CacheErrorCode(StrEnum):
    NOT_A_COUNTER = "cache_not_a_counter"
    UNAVAILABLE = "cache_unavailable"


class CacheError(RuntimeError):
    """Infrastructure, not a domain rule: the gateway answers it with a 5xx, never a 4xx."""

    def __init__(self, code: CacheErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code


class Cache(ABC):
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

    def close(self) -> None:
        """Releases connections; the in-process cache has none."""
        return None
