"""Numbers as a request carries them, with the OpenAPI schema stating exactly the rule the
gateway applies: pydantic's lax mode takes `true` and `"5"` for an integer and its schema for a
Decimal admits any string, so clients, schema-driven tools and the gateway would disagree.

- A count is a JSON integer (JSON Schema counts 5.0 as one), never a boolean or text.
- Money is decimal text ("9.99") or a whole number, never a binary float with a fraction,
  which cannot hold most cents exactly."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, WithJsonSchema

INTEGER_DIGITS = 10
AMOUNT_TEXT = re.compile(rf"^[0-9]{{1,{INTEGER_DIGITS}}}(\.[0-9]{{1,2}})?$")
LARGEST_WHOLE_AMOUNT = 10**INTEGER_DIGITS - 1


def _whole(value: Any) -> Any:
    """An int, or a float without a fraction as an int; anything else unchanged."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _json_integer(value: Any) -> Any:
    value = _whole(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("a whole number is expected")
    return value


def _wire_amount(value: Any) -> Any:
    value = _whole(value)
    if isinstance(value, str):
        if not AMOUNT_TEXT.match(value):
            raise ValueError('an amount is decimal text with at most two decimals, e.g. "9.99"')
        return value
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError('an amount is decimal text such as "9.99" or a whole number')
    return value


def _json_number(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("a number is expected")
    return value


# Last in an `Annotated[int, Field(ge=..., le=...), WHOLE]`: after the bounds, which the schema
# then shows as JSON Schema's own `minimum` and `maximum`.
WHOLE = BeforeValidator(_json_integer)
NUMBER = BeforeValidator(_json_number)

# A non-negative amount in cents precision, e.g. a price.
Amount = Annotated[
    Decimal,
    BeforeValidator(_wire_amount),
    Field(ge=0, max_digits=INTEGER_DIGITS + 2, decimal_places=2),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "pattern": AMOUNT_TEXT.pattern},
                {"type": "integer", "minimum": 0, "maximum": LARGEST_WHOLE_AMOUNT},
            ]
        }
    ),
]
