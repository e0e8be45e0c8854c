"""The payment gateway port: a real provider's adapter and the sandbox both implement it."""

from __future__ import annotations

from abc import ABC, abstractmethod
from decimal import Decimal

from transactional.payments.domain import Authorization, Capture


class PaymentGateway(ABC):
    @abstractmethod
    def authorize(
        self, reference: str, amount: Decimal, currency: str, card_number: str
    ) -> Authorization:
        """Holds the amount on the card; a decline is an answer, not an exception."""

    @abstractmethod
    def capture(self, authorization: Authorization) -> Capture:
        """Takes the money held by an approved authorization."""
