"""The serving client over HTTP: the same API the storefront calls, one kept-alive connection
pool, and a few retries with backoff while serving swaps a model in or restarts a replica."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import httpx

from simulation.errors import SimulationError, SimulationErrorCode
from simulation.serving_client import SEARCH_LIMIT

RETRIED_STATUSES = frozenset({502, 503, 504})  # a proxy without a ready replica: try again
DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=2.0)


class HttpServingClient:
    """`search`, `feed` and `similar` against `{serving_url}`; responses are serving's JSON.

    A connection error or a 502/503/504 is retried `retries` times, waiting `backoff_s`, then
    twice that, and so on; after that a `SimulationError` with code `serving_unreachable`. Any
    other error status, or a body that is not a JSON object, is `serving_error` at once."""

    def __init__(
        self,
        serving_url: str,
        *,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        retries: int = 4,
        backoff_s: float = 0.25,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.serving_url = serving_url.rstrip("/")
        self.retries, self.backoff_s, self._sleep = retries, backoff_s, sleep
        self._http = httpx.Client(base_url=self.serving_url, timeout=timeout, transport=transport)

    def search(self, query: str, customer_id: str | None) -> dict[str, Any]:
        params = {"q": query, "customer_id": customer_id, "limit": SEARCH_LIMIT}
        return self._get("/search", params)

    def feed(self, customer_id: str, k: int) -> dict[str, Any]:
        return self._get(f"/recommendations/{quote(customer_id, safe='')}", {"k": k})

    def similar(self, product_id: str, customer_id: str | None, k: int) -> dict[str, Any]:
        path = f"/recommendations/similar/{quote(product_id, safe='')}"
        return self._get(path, {"k": k, "customer_id": customer_id})

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> HttpServingClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _get(self, path: str, params: dict[str, Any]) -> dict[str, Any]:
        params = {name: value for name, value in params.items() if value is not None}
        failure = ""
        for attempt in range(self.retries + 1):
            if attempt:
                self._sleep(self.backoff_s * 2 ** (attempt - 1))
            try:
                response = self._http.get(path, params=params)
            except httpx.TransportError as error:
                failure = f"{type(error).__name__}: {error}"
                continue
            if response.status_code in RETRIED_STATUSES:
                failure = f"HTTP {response.status_code}"
                continue
            return _json_object(response, path)
        raise SimulationError(
            SimulationErrorCode.SERVING_UNREACHABLE,
            f"serving at {self.serving_url} did not answer GET {path} "
            f"after {self.retries + 1} tries ({failure})",
        )


def _json_object(response: httpx.Response, path: str) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        body = None
    if response.is_success and isinstance(body, dict):
        return body
    error = body.get("error") if isinstance(body, dict) else None
    code = error.get("code") if isinstance(error, dict) else None
    raise SimulationError(
        SimulationErrorCode.SERVING_ERROR,
        f"GET {path} answered HTTP {response.status_code}"
        + (f" ({code})" if code else "")
        + ("" if response.is_success else f": {response.text[:200]}"),
    )
