"""Password guessing at the door. A client gets a few login and refresh attempts a minute; an
account whose password was wrong `failures_before_lock` times in a row is locked for `lock_s`,
whoever asks. An unknown email counts and locks the same way, so a lock tells nobody whether an
account exists; keys hold a digest of the email, never the email."""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from transactional.common.cache import Cache
from transactional.common.errors import TooMany


class LoginErrorCode(StrEnum):
    TOO_MANY_ATTEMPTS = "too_many_attempts"
    ACCOUNT_LOCKED = "account_locked"


class TooManyAttempts(TooMany):
    def __init__(self, retry_after_s: int) -> None:
        super().__init__(
            LoginErrorCode.TOO_MANY_ATTEMPTS,
            f"too many login attempts from this client: retry in {retry_after_s} s",
            retry_after_s,
        )


class AccountLocked(TooMany):
    def __init__(self, retry_after_s: int) -> None:
        super().__init__(
            LoginErrorCode.ACCOUNT_LOCKED,
            f"too many wrong passwords: this account is locked for {retry_after_s} s",
            retry_after_s,
        )


@dataclass(frozen=True)
class LoginLimits:
    attempts_per_minute: int = 20
    failures_before_lock: int = 5
    lock_s: int = 900


class LoginGuard:
    def __init__(
        self, cache: Cache, limits: LoginLimits, now: Callable[[], float] = time.time
    ) -> None:
        self.cache = cache
        self.limits = limits
        self.now = now  # wall clock: a lock's end is shared by every gateway process

    def admit(self, client: str) -> None:
        per_minute = self.limits.attempts_per_minute
        take = self.cache.take_token(f"login:client:{client}", per_minute, per_minute / 60)
        if not take.allowed:
            raise TooManyAttempts(max(1, math.ceil(take.retry_after_s)))

    def ensure_unlocked(self, email: str) -> None:
        until = self.cache.get(self._key("locked", email))
        if until is not None:
            raise AccountLocked(max(1, math.ceil(float(until) - self.now())))

    def failed(self, email: str) -> None:
        failures = self.cache.incr(self._key("failures", email), ttl=self.limits.lock_s)
        if failures >= self.limits.failures_before_lock:
            until = self.now() + self.limits.lock_s
            self.cache.set(self._key("locked", email), repr(until), ttl=self.limits.lock_s)
            self.cache.delete(self._key("failures", email))

    def succeeded(self, email: str) -> None:
        self.cache.delete(self._key("failures", email))

    def unlock(self, email: str) -> None:
        """After a password reset: the owner proved the mailbox, the guesses are moot."""
        self.cache.delete(self._key("locked", email))
        self.cache.delete(self._key("failures", email))

    @staticmethod
    def _key(kind: str, email: str) -> str:
        digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
        return f"login:{kind}:{digest}"
