"""What a payment gateway answers, and the card checks every gateway shares."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum


class DeclineCode(StrEnum):
    CARD_DECLINED = "card_declined"
    INSUFFICIENT_FUNDS = "insufficient_funds"
    INVALID_CARD = "invalid_card"


class PaymentStatus(StrEnum):
    AUTHORIZED = "authorized"
    CAPTURED = "captured"
    DECLINED = "declined"


@dataclass(frozen=True)
class Authorization:
    reference: str  # the order the money is for
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
