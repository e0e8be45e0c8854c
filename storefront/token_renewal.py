"""Renewing a web session's expired access token with its refresh token, once per session at a
time. The gateway rotates refresh tokens and treats a spent one presented again as stolen (it
revokes every token of the account), so two tabs renewing with the same cookie must not both
spend it: the second waits for the first and takes the pair the first got.

Known limit: the lock and the recent renewals live in this process. Behind several storefront
processes (uvicorn workers) two tabs whose requests land in different processes at the same
moment can still both spend the token, and the shopper is signed out everywhere and signs in
again.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

# How long a renewal's pair is handed to a request that still carries the spent refresh token:
# a tab whose page was in flight when another tab renewed, its cookie not yet updated.
GRACE_S = 30.0

Pair = tuple[str, str]  # (access token, refresh token)


@dataclass
class Renewals:
    grace_s: float = GRACE_S
    # A session's lock and how many of its requests hold or await it (dropped at none).
    _locks: dict[str, tuple[asyncio.Lock, int]] = field(default_factory=dict)
    _recent: dict[str, tuple[float, Pair]] = field(default_factory=dict)

    async def renew(
        self, session_id: str, refresh_token: str, spend: Callable[[str], Awaitable[Pair]]
    ) -> Pair:
        """The new pair for `refresh_token`: spent through `spend` at most once within the
        grace period; whatever `spend` raises goes to the caller."""
        spent = hashlib.sha256(f"{session_id}:{refresh_token}".encode()).hexdigest()
        lock, users = self._locks.get(session_id, (asyncio.Lock(), 0))
        self._locks[session_id] = (lock, users + 1)
        try:
            async with lock:
                now = time.monotonic()
                self._forget_before(now - self.grace_s)
                if (recent := self._recent.get(spent)) is not None:
                    return recent[1]
                pair = await spend(refresh_token)
                self._recent[spent] = (time.monotonic(), pair)
                return pair
        finally:
            _, users = self._locks[session_id]
            if users == 1:
                del self._locks[session_id]
            else:
                self._locks[session_id] = (lock, users - 1)

    def _forget_before(self, moment: float) -> None:
        for key in [k for k, (at, _) in self._recent.items() if at < moment]:
            del self._recent[key]
