"""The payment gateway port: a real provider's adapter and the sandbox both implement it.
Every call is idempotent on the store's reference, as real providers' idempotency keys are."""

from __future__ import annotations

from abc import ABC, abstractmethod
from decimal import Decimal

from transactional.payments.domain import Authorization, Capture, GatewayRecord, Refund


class PaymentGateway(ABC):
    @abstractmethod
    def authorize(
        self, reference: str, amount: Decimal, currency: str, card_number: str
    ) -> Authorization:
        """Holds the amount on the card; a decline is an answer, not an exception. The same
        reference again returns the first answer. May raise GatewayTimeout."""

    @abstractmethod
    def capture(self, gateway_ref: str) -> Capture:
        """Takes the money held by an approved authorization; again: the same capture."""

    @abstractmethod
    def void(self, gateway_ref: str) -> None:
        """Releases an uncaptured authorization; voiding a voided one is a no-op."""

    @abstractmethod
    def refund(self, gateway_ref: str, amount: Decimal, refund_id: str) -> Refund:
        """Gives back part or all of a capture; the same refund_id is refunded once."""

    @abstractmethod
    def lookup(self, reference: str) -> GatewayRecord | None:
        """The provider's record for a reference, or None when it never received it."""
