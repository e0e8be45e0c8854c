"""Sandbox payment provider: the usual test cards (approve, decline, insufficient funds, time out),
random latency, a ledger in its own SQLite file, and signed webhooks delivered late, twice or out
of order (`webhooks.deliver(send, now)` is driven by the caller: a test or the simulator)."""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from transactional.common.money import money_text, to_cents
from transactional.payments.domain import (
    Authorization,
    Capture,
    DeclineCode,
    GatewayRecord,
    GatewayRefused,
    GatewayTimeout,
    PaymentStatus,
    Refund,
    passes_luhn,
)
from transactional.payments.gateway import PaymentGateway
from transactional.payments.sandbox_ledger import SandboxLedger
from transactional.payments.webhooks import DeliveryQueue

APPROVE_CARD = "4242424242424242"
DECLINE_CARD = "4000000000000002"
INSUFFICIENT_FUNDS_CARD = "4000000000009995"
# Approved by the provider, but the answer never reaches the store (it must ask with lookup).
TIMEOUT_CARD = "4000000000000119"

TEST_CARD_DECLINES = {
    DECLINE_CARD: DeclineCode.CARD_DECLINED,
    INSUFFICIENT_FUNDS_CARD: DeclineCode.INSUFFICIENT_FUNDS,
}
WEBHOOK_SECRET = "sandbox-payments-webhook-secret"  # noqa: S105 - the sandbox's own


class SandboxPaymentGateway(PaymentGateway):
    def __init__(
        self,
        ledger_path: Path | str = ":memory:",
        max_latency_s: float = 0.0,
        seed: int | None = None,
        webhook_secret: str = WEBHOOK_SECRET,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.ledger = SandboxLedger(ledger_path)
        self.max_latency_s = max_latency_s
        self._random = random.Random(seed)  # noqa: S311 - sandbox latency
        self._now = now
        self.webhooks = DeliveryQueue(webhook_secret, seed=seed or 0)

    def authorize(
        self, reference: str, amount: Decimal, currency: str, card_number: str
    ) -> Authorization:
        self._wait()
        card = card_number.replace(" ", "")
        with self.ledger.lock:
            known = self.ledger.record(reference)
            if known is None:
                known = self._new_payment(reference, amount, currency, card)
        if card == TIMEOUT_CARD:
            raise GatewayTimeout(reference)
        approved = known.status is not PaymentStatus.DECLINED
        return Authorization(
            reference, known.amount, currency, approved, known.gateway_ref, known.decline_code
        )

    def capture(self, gateway_ref: str) -> Capture:
        self._wait()
        with self.ledger.lock:
            record = self._known(gateway_ref)
            if record.status is PaymentStatus.AUTHORIZED:
                self.ledger.set_status(gateway_ref, PaymentStatus.CAPTURED, captured=True)
                self._publish("payment.captured", record, PaymentStatus.CAPTURED)
            elif record.status not in (PaymentStatus.CAPTURED, PaymentStatus.REFUNDED):
                raise GatewayRefused(f"cannot capture a {record.status.value} payment")
        return Capture(gateway_ref, record.amount, record.currency)

    def void(self, gateway_ref: str) -> None:
        self._wait()
        with self.ledger.lock:
            record = self._known(gateway_ref)
            if record.status is PaymentStatus.AUTHORIZED:
                self.ledger.set_status(gateway_ref, PaymentStatus.VOIDED)
                self._publish("payment.voided", record, PaymentStatus.VOIDED)
            elif record.status is not PaymentStatus.VOIDED:
                raise GatewayRefused(f"cannot void a {record.status.value} payment")

    def refund(self, gateway_ref: str, amount: Decimal, refund_id: str) -> Refund:
        self._wait()
        with self.ledger.lock:
            record = self._known(gateway_ref)
            if (done := self.ledger.refunded_by(refund_id)) is not None:
                return Refund(refund_id, gateway_ref, Decimal(done) / 100, record.refunded)
            if record.status is not PaymentStatus.CAPTURED:
                raise GatewayRefused(f"cannot refund a {record.status.value} payment")
            left = to_cents(record.amount) - to_cents(record.refunded)
            if not 0 < to_cents(amount) <= left:
                raise GatewayRefused(f"refund of {amount}: {Decimal(left) / 100} refundable")
            fully = to_cents(amount) == left
            self.ledger.add_refund(refund_id, gateway_ref, to_cents(amount), fully)
            after = self._known(gateway_ref)
            self._publish("payment.refunded", after, after.status)
        return Refund(refund_id, gateway_ref, amount, after.refunded)

    def lookup(self, reference: str) -> GatewayRecord | None:
        with self.ledger.lock:
            return self.ledger.record(reference)

    @property
    def authorizations(self) -> list[GatewayRecord]:
        """Every payment the provider ever saw, oldest first."""
        with self.ledger.lock:
            return self.ledger.all_records()

    @property
    def captures(self) -> list[GatewayRecord]:
        return [
            r
            for r in self.authorizations
            if r.status in (PaymentStatus.CAPTURED, PaymentStatus.REFUNDED)
        ]

    def close(self) -> None:
        self.ledger.close()

    def _new_payment(
        self, reference: str, amount: Decimal, currency: str, card: str
    ) -> GatewayRecord:
        decline = TEST_CARD_DECLINES.get(card)
        if decline is None and not passes_luhn(card):
            decline = DeclineCode.INVALID_CARD
        status = PaymentStatus.DECLINED if decline else PaymentStatus.AUTHORIZED
        record = GatewayRecord(
            reference, f"sbx_{uuid.uuid4().hex}", status, amount, currency, decline_code=decline
        )
        self.ledger.add(record, to_cents(amount))
        self._publish(f"payment.{status.value}", record, status)
        return record

    def _known(self, gateway_ref: str) -> GatewayRecord:
        record = self.ledger.by_gateway_ref(gateway_ref)
        if record is None:
            raise GatewayRefused(f"no payment {gateway_ref}")
        return record

    def _publish(self, event_type: str, record: GatewayRecord, status: PaymentStatus) -> None:
        data = {
            "reference": record.reference,
            "gateway_ref": record.gateway_ref,
            "status": status.value,
            "amount": money_text(record.amount),
            "refunded": money_text(record.refunded),
            "currency": record.currency,
            "decline_code": record.decline_code.value if record.decline_code else None,
        }
        self.webhooks.publish(event_type, data, self._now())

    def _wait(self) -> None:
        if self.max_latency_s > 0:
            time.sleep(self._random.uniform(0, self.max_latency_s))
