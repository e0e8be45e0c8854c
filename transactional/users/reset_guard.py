"""Limits on asking for password-reset mail: a few an hour per client and per address, so the
form can neither flood an inbox nor be used to mail the whole customer list. The per-address
limit holds for unknown addresses too (a 429 tells nobody whether an account exists); keys
hold a digest of the address, never the address."""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from enum import StrEnum

from transactional.common.cache import Cache
from transactional.common.errors import TooMany


class ResetLimitCode(StrEnum):
    TOO_MANY_RESETS = "too_many_resets"


class TooManyResets(TooMany):
    def __init__(self, whose: str, retry_after_s: int) -> None:
        super().__init__(
            ResetLimitCode.TOO_MANY_RESETS,
            f"too many password resets asked for from this {whose}: retry in {retry_after_s} s",
            retry_after_s,
        )


@dataclass(frozen=True)
class ResetLimits:
    per_client_per_hour: int = 10
    per_account_per_hour: int = 3


class ResetGuard:
    def __init__(self, cache: Cache, limits: ResetLimits) -> None:
        self.cache = cache
        self.limits = limits

    def admit(self, client: str, email: str) -> None:
        digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
        self._take(f"reset:client:{client}", self.limits.per_client_per_hour, "client")
        self._take(f"reset:account:{digest}", self.limits.per_account_per_hour, "address")

    def _take(self, key: str, per_hour: int, whose: str) -> None:
        take = self.cache.take_token(key, per_hour, per_hour / 3600)
        if not take.allowed:
            raise TooManyResets(whose, max(1, math.ceil(take.retry_after_s)))
