"""Where the gateway sends a search or recommendation request. Serve's proxy (settings' serving
URL) is always there; with direct ingress each replica also answers on a port of its own, and
calling those directly saves the proxy's hop (serving/direct_ingress.py). The replicas' addresses
are asked of the proxy every REFRESH_S, in the background once known: a request that waited for
the asking paid a call through the proxy (50-220 ms at 8 clients here) and a controller call. The
requests go round the replicas in turn, and a replica that refuses the connection is left out
until the next refresh while its request goes through the proxy."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

REFRESH_S = 5.0
ASK_TIMEOUT_S = 1.0

# Asks the proxy which replicas answer on their own ports: their URLs, or None when serving is
# away, too old to say, or answered anything but a listing.
Listing = Callable[[], Awaitable[list[str] | None]]


class ServingTargets:
    """One per gateway worker's event loop; not thread-safe, as an event loop needs none."""

    def __init__(self, proxy_url: str) -> None:
        self.proxy_url = proxy_url.rstrip("/")
        self._replicas: list[str] = []
        self._turn = 0
        self._refresh_at = 0.0
        self._asking = False
        self._asked_once = False
        self._refresh: asyncio.Task[None] | None = None  # held: the loop keeps weak references

    @property
    def replicas(self) -> tuple[str, ...]:
        return tuple(self._replicas)

    async def pick(self, listing: Listing, patience_s: float = ASK_TIMEOUT_S) -> str:
        """The base URL for the next request: a replica in turn, or the proxy if none is known.
        `patience_s`: how long the first asking may hold the request, never longer than the
        request itself may take."""
        if time.monotonic() >= self._refresh_at and not self._asking:
            if self._asked_once:
                self._asking = True  # before the task runs, so the next request starts none
                self._refresh = asyncio.create_task(self._ask(listing, ASK_TIMEOUT_S))
            else:
                await self._ask(listing, min(ASK_TIMEOUT_S, patience_s))
        if not self._replicas:
            return self.proxy_url
        self._turn = (self._turn + 1) % len(self._replicas)
        return self._replicas[self._turn]

    def forget(self, url: str) -> None:
        """A replica that refused a connection (restarting, or gone)."""
        self._replicas = [replica for replica in self._replicas if replica != url]

    async def _ask(self, listing: Listing, timeout_s: float) -> None:
        self._asking = True
        try:
            listed = await asyncio.wait_for(listing(), timeout_s)
        except TimeoutError:
            listed = None
        finally:
            self._refresh_at = time.monotonic() + REFRESH_S
            self._asking = False
            self._asked_once = True
        # Serving away or silent: the proxy answers, or not.
        self._replicas = [str(url).rstrip("/") for url in listed or []]
