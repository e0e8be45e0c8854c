"""Sandbox carrier: books shipments and returns, and reports pickups, deliveries and received
returns as signed webhooks that arrive late, twice or out of order (like the payment sandbox)."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime

from transactional.payments.webhooks import DeliveryQueue
from transactional.shipping.domain import RETURN_RECEIVED
from transactional.shipping.port import ShippingProvider

WEBHOOK_SECRET = "sandbox-shipping-webhook-secret"  # noqa: S105 - the sandbox's own


class SandboxShippingProvider(ShippingProvider):
    carrier = "Sandbox Parcel"

    def __init__(
        self,
        max_latency_s: float = 0.0,
        seed: int | None = None,
        webhook_secret: str = WEBHOOK_SECRET,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.max_latency_s = max_latency_s
        self._random = random.Random(seed)  # noqa: S311 - sandbox latency
        self._now = now
        self._lock = threading.Lock()
        self.shipments: dict[str, str] = {}  # order_id -> carrier_ref
        self.returns: dict[str, str] = {}
        self.webhooks = DeliveryQueue(webhook_secret, seed=(seed or 0) + 1)

    def create_shipment(self, order_id: str) -> str:
        self._wait()
        with self._lock:
            return self.shipments.setdefault(order_id, f"trk_{order_id}")

    def create_return(self, order_id: str) -> str:
        self._wait()
        with self._lock:
            return self.returns.setdefault(order_id, f"rtn_{order_id}")

    # What happens in the carrier's world; tests and the simulator drive these.
    def pick_up(self, order_id: str) -> None:
        self._report("tracking.picked_up", self.shipments[order_id], order_id)

    def deliver(self, order_id: str) -> None:
        self._report("tracking.delivered", self.shipments[order_id], order_id)

    def receive_return(self, order_id: str) -> None:
        self._report(RETURN_RECEIVED, self.returns[order_id], order_id)

    def _report(self, event_type: str, carrier_ref: str, order_id: str) -> None:
        data = {"carrier_ref": carrier_ref, "order_id": order_id}
        self.webhooks.publish(event_type, data, self._now())

    def _wait(self) -> None:
        if self.max_latency_s > 0:
            with self._lock:
                delay = self._random.uniform(0, self.max_latency_s)
            time.sleep(delay)
