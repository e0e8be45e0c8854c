"""Analytics service port; HTTP adapter: signed POSTs, retried with backoff on 5xx/timeouts."""

from __future__ import annotations

import random
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any

import httpx

from warehouse.batches import Batch
from warehouse.errors import AnalyticsRejected, AnalyticsUnavailable
from warehouse.signing import SIGNATURE_HEADER, sign

RETRYABLE_STATUSES = {429, 500, 502, 503, 504}


@dataclass(frozen=True)
class BatchReceipt:
    batch_id: str
    duplicate: bool  # the service already had this batch: nothing was counted twice
    attempts: int


class AnalyticsService(ABC):
    """Where exported batches go; adapters: HttpAnalyticsService (the only one needed so far)."""

    url: str

    @abstractmethod
    def send(self, batch: Batch) -> BatchReceipt: ...

    @abstractmethod
    def stats(self) -> dict[str, Any]: ...

    def close(self) -> None:  # noqa: B027 - optional hook, most adapters hold nothing
        pass


class HttpAnalyticsService(AnalyticsService):
    def __init__(
        self,
        url: str,
        secret: str,
        timeout_s: float = 5.0,
        max_attempts: int = 6,
        backoff_s: float = 0.05,
        max_backoff_s: float = 2.0,
    ) -> None:
        self.url = url.rstrip("/")
        self._secret = secret
        self._max_attempts = max_attempts
        self._backoff_s = backoff_s
        self._max_backoff_s = max_backoff_s
        self._client = httpx.Client(base_url=self.url, timeout=timeout_s)

    def send(self, batch: Batch) -> BatchReceipt:
        body = batch.body()
        headers = {"Content-Type": "application/json", SIGNATURE_HEADER: sign(body, self._secret)}
        last_problem = ""
        for attempt in range(1, self._max_attempts + 1):
            try:
                response = self._client.post("/v1/batches", content=body, headers=headers)
            except (httpx.TimeoutException, httpx.TransportError) as failure:
                last_problem = f"{type(failure).__name__}: {failure}"
            else:
                if response.status_code in (200, 201):
                    return BatchReceipt(batch.batch_id, bool(response.json()["duplicate"]), attempt)
                if response.status_code not in RETRYABLE_STATUSES:
                    raise AnalyticsRejected(response.status_code, response.text)
                last_problem = f"HTTP {response.status_code}"
            if attempt < self._max_attempts:
                time.sleep(self._delay(attempt))
        raise AnalyticsUnavailable(self._max_attempts, f"batch {batch.batch_id}: {last_problem}")

    def stats(self) -> dict[str, Any]:
        response = self._client.get("/v1/stats")
        response.raise_for_status()
        return response.json()

    def close(self) -> None:
        self._client.close()

    def _delay(self, attempt: int) -> float:
        # exponential backoff with full jitter, so many retrying exporters do not stampede
        return random.uniform(0, min(self._max_backoff_s, self._backoff_s * 2 ** (attempt - 1)))  # noqa: S311 - retry jitter
