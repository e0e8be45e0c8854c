"""Sandbox payment gateway with the usual test cards, optional latency and an in-memory ledger."""

from __future__ import annotations

import random
import threading
import time
import uuid
from decimal import Decimal

from transactional.payments.domain import Authorization, Capture, DeclineCode, passes_luhn
from transactional.payments.gateway import PaymentGateway

APPROVE_CARD = "4242424242424242"
DECLINE_CARD = "4000000000000002"
INSUFFICIENT_FUNDS_CARD = "4000000000009995"

TEST_CARD_DECLINES = {
    DECLINE_CARD: DeclineCode.CARD_DECLINED,
    INSUFFICIENT_FUNDS_CARD: DeclineCode.INSUFFICIENT_FUNDS,
}


class CaptureRefused(RuntimeError):
    """Capturing something that was never approved here: a bug in the caller, not a decline."""


class SandboxPaymentGateway(PaymentGateway):
    def __init__(self, max_latency_s: float = 0.0, seed: int | None = None) -> None:
        self.max_latency_s = max_latency_s
        self._random = random.Random(seed)
        self._lock = threading.Lock()
        self.authorizations: list[Authorization] = []
        self.captures: list[Capture] = []
        self._approved: set[str] = set()

    def authorize(
        self, reference: str, amount: Decimal, currency: str, card_number: str
    ) -> Authorization:
        self._wait()
        card = card_number.replace(" ", "")
        decline = TEST_CARD_DECLINES.get(card)
        if decline is None and not passes_luhn(card):
            decline = DeclineCode.INVALID_CARD
        authorization = Authorization(
            reference, amount, currency, decline is None, f"sbx_auth_{uuid.uuid4().hex}", decline
        )
        with self._lock:
            self.authorizations.append(authorization)
            if authorization.approved:
                self._approved.add(authorization.gateway_ref)
        return authorization

    def capture(self, authorization: Authorization) -> Capture:
        self._wait()
        with self._lock:
            # Each approval is captured at most once.
            if authorization.gateway_ref not in self._approved:
                raise CaptureRefused(authorization.gateway_ref)
            self._approved.discard(authorization.gateway_ref)
            capture = Capture(
                authorization.gateway_ref, authorization.amount, authorization.currency
            )
            self.captures.append(capture)
        return capture

    def _wait(self) -> None:
        if self.max_latency_s > 0:
            with self._lock:
                delay = self._random.uniform(0, self.max_latency_s)
            time.sleep(delay)
