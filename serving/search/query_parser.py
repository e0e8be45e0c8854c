"""Turns what a shopper typed into keywords and filters; never raises, unknown text is keywords."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

MAX_QUERY_CHARS = 512
_NUMBER = r"\$?\s*(\d{1,9}(?:\.\d{1,2})?)"
_FILTER = re.compile(r"\b(brand|category):(?:\"([^\"]*)\"|'([^']*)'|(\S+))", re.IGNORECASE)
_BETWEEN = re.compile(
    rf"(?:\bbetween\s+{_NUMBER}\s+and\s+{_NUMBER})|(?:\$\s*(\d{{1,9}}(?:\.\d{{1,2}})?)\s*(?:-|to)\s*{_NUMBER})",
    re.IGNORECASE,
)
_UNDER = re.compile(rf"(?:\b(?:under|below|less\s+than|cheaper\s+than)\s+|<\s*){_NUMBER}", re.I)
_OVER = re.compile(rf"(?:\b(?:over|above|more\s+than)\s+|>\s*){_NUMBER}", re.IGNORECASE)


@dataclass(frozen=True)
class ParsedQuery:
    keywords: str = ""
    brand: str | None = None
    category: str | None = None
    price_min: float | None = None
    price_max: float | None = None

    def as_dict(self) -> dict:
        return asdict(self)


def as_text(raw: Any) -> str:
    """Any input to printable text: bytes are decoded leniently, control characters dropped."""
    if raw is None:
        return ""
    if isinstance(raw, bytes | bytearray):
        raw = bytes(raw).decode("utf-8", errors="replace")
    text = str(raw)[: MAX_QUERY_CHARS * 4]
    text = "".join(ch if ch.isprintable() else " " for ch in text)
    return text[:MAX_QUERY_CHARS]


def parse_query(raw: Any) -> ParsedQuery:
    text = as_text(raw)
    filters: dict[str, str] = {}

    def take_filter(match: re.Match) -> str:
        value = next((group for group in match.groups()[1:] if group is not None), "").strip()
        if value:
            filters[match.group(1).lower()] = value
        return " "

    text = _FILTER.sub(take_filter, text)
    price_min = price_max = None
    if match := _BETWEEN.search(text):
        low, high = (float(group) for group in match.groups() if group is not None)
        price_min, price_max = min(low, high), max(low, high)
        text = text[: match.start()] + " " + text[match.end() :]
    if match := _UNDER.search(text):
        price_max = float(match.group(1))
        text = text[: match.start()] + " " + text[match.end() :]
    if match := _OVER.search(text):
        price_min = float(match.group(1))
        text = text[: match.start()] + " " + text[match.end() :]
    return ParsedQuery(
        keywords=" ".join(text.split()),
        brand=filters.get("brand"),
        category=filters.get("category"),
        price_min=price_min,
        price_max=price_max,
    )
