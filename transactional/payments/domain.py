"""What a payment gateway answers, the provider's record of a payment, and the card checks every
gateway shares."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from transactional.common.errors import Conflict, Invalid


class DeclineCode(StrEnum):
    CARD_DECLINED = "card_declined"
    INSUFFICIENT_FUNDS = "insufficient_funds"
    INVALID_CARD = "invalid_card"
    GATEWAY_TIMEOUT = "gateway_timeout"


class PaymentStatus(StrEnum):
    """The store's payment row; also the provider's status of one payment."""

    AUTHORIZED = "authorized"
    CAPTURED = "captured"
    DECLINED = "declined"
    VOIDED = "voided"
    REFUNDED = "refunded"  # the whole captured amount was given back


class PaymentErrorCode(StrEnum):
    REFUND_TOO_LARGE = "refund_too_large"
    NOT_CAPTURED = "not_captured"
    INVALID_AMOUNT = "invalid_amount"


class GatewayTimeout(Exception):
    """The provider did not answer in time; it may or may not have acted (ask it with lookup)."""


class GatewayRefused(Exception):
    """The provider refused an operation on a payment in the wrong state: a caller's bug."""


class RefundTooLarge(Invalid):
    def __init__(self, wanted: Decimal, refundable: Decimal) -> None:
        super().__init__(
            PaymentErrorCode.REFUND_TOO_LARGE,
            f"refund of {wanted} asked, {refundable} refundable",
            "amount",
        )


class NotCaptured(Conflict):
    def __init__(self, order_id: str) -> None:
        super().__init__(
            PaymentErrorCode.NOT_CAPTURED, f"order {order_id} has no captured payment", "order_id"
        )


class InvalidAmount(Invalid):
    def __init__(self, amount: object) -> None:
        super().__init__(
            PaymentErrorCode.INVALID_AMOUNT, f"amount must be positive: {amount!r}", "amount"
        )


@dataclass(frozen=True)
class Authorization:
    reference: str  # the store's idempotency reference for this payment (one per order)
    amount: Decimal
    currency: str
    approved: bool
    gateway_ref: str
    decline_code: DeclineCode | None = None


@dataclass(frozen=True)
class Capture:
    gateway_ref: str
    amount: Decimal
    currency: str


@dataclass(frozen=True)
class Refund:
    refund_id: str
    gateway_ref: str
    amount: Decimal
    refunded_total: Decimal


@dataclass(frozen=True)
class GatewayRecord:
    """What the provider's ledger says about one reference: the truth recovery works from."""

    reference: str
    gateway_ref: str
    status: PaymentStatus
    amount: Decimal
    currency: str
    refunded: Decimal = Decimal("0.00")
    decline_code: DeclineCode | None = None


def passes_luhn(card_number: str) -> bool:
    digits = card_number.replace(" ", "")
    if not digits.isdigit() or not 12 <= len(digits) <= 19:
        return False
    total = 0
    for index, char in enumerate(reversed(digits)):
        digit = int(char)
        if index % 2 == 1:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0
