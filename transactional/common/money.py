"""Money is a Decimal with a currency beside it, never a float; rows keep integer minor units."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

CENT = Decimal("0.01")


def to_money(value: Decimal | str | int | float) -> Decimal:
    """Rounds to cents; a float goes through str so 19.99 stays 19.99. Raises InvalidOperation."""
    amount = Decimal(str(value)).quantize(CENT)
    if not amount.is_finite():
        raise InvalidOperation(f"not a finite amount: {value!r}")
    return amount


def to_cents(amount: Decimal) -> int:
    return int(to_money(amount) * 100)


def from_cents(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(CENT)


def money_text(amount: Decimal) -> str:
    """The Decimal string that payloads carry, e.g. '19.90'."""
    return str(to_money(amount))
