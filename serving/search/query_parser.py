"""Turns what a shopper typed into keywords, phrases, filters and a sort; never raises."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

MAX_QUERY_CHARS = 512
SORTS = ("relevance", "price_asc", "price_desc", "rating", "newest")
_N = r"(\d{1,9}(?:\.\d{1,2})?)"
_PRICE = rf"\$?\s*{_N}\s*(?:dollars|usd|bucks|\$)?"
_FILTER = re.compile(r"\b(brand|category):(?:\"([^\"]*)\"|'([^']*)'|(\S+))", re.IGNORECASE)
_PHRASE = re.compile(r"\"([^\"]*)\"")
_RATING = re.compile(
    r"(?:\b(?:rated|at\s+least)\s+)?\b([0-5](?:\.\d)?)\s*(?:\+\s*stars?|-?\s*stars?\s*\+?)"
    r"(?:\s*(?:and|&|or)\s*(?:up|above|more|higher|better))?(?!\w)",
    re.IGNORECASE,
)
_IN_STOCK = re.compile(r"\b(?:in[\s-]stock|available\s+now)\b", re.IGNORECASE)
_RANGES = (
    re.compile(rf"\b(?:between|from)\s+{_PRICE}\s+(?:and|to|-)\s+{_PRICE}", re.IGNORECASE),
    re.compile(rf"\$\s*{_N}\s*(?:-|to)\s*{_PRICE}", re.IGNORECASE),
    re.compile(rf"\b{_N}\s*(?:-|to)\s*{_N}\s*(?:dollars|usd|bucks|\$)", re.IGNORECASE),
)
_MAX = (
    re.compile(
        rf"(?:\b(?:under|below|less\s+than|cheaper\s+than|up\s+to|at\s+most|max|no\s+more\s+than)"
        rf"\s+|<=?\s*){_PRICE}",
        re.IGNORECASE,
    ),
    re.compile(rf"\$\s*{_N}\s+(?:or\s+less|and\s+under|max)\b", re.IGNORECASE),
)
_MIN = (
    re.compile(
        rf"(?:\b(?:over|above|more\s+than|at\s+least|min|starting\s+at)\s+|>=?\s*){_PRICE}",
        re.IGNORECASE,
    ),
    re.compile(rf"\$\s*{_N}\s*(?:\+|or\s+more|and\s+up)", re.IGNORECASE),
)
_SORT = (
    (r"price\s+(?:low\s+to\s+high|ascending)|cheapest(?:\s+first)?|lowest\s+price", "price_asc"),
    (r"price\s+(?:high\s+to\s+low|descending)|most\s+expensive|highest\s+price", "price_desc"),
    (r"(?:highest|best|top)[\s-]rated|best\s+reviewed", "rating"),
    (r"newest(?:\s+first)?|latest|new\s+arrivals", "newest"),
)
_SORT_RE = tuple((re.compile(rf"(?:\bsort(?:ed)?\s+by\s+)?\b(?:{p})\b", re.I), s) for p, s in _SORT)


@dataclass(frozen=True)
class ParsedQuery:
    keywords: str = ""
    brand: str | None = None
    category: str | None = None
    price_min: float | None = None
    price_max: float | None = None
    phrases: tuple[str, ...] = ()
    rating_min: float | None = None
    in_stock: bool = False
    sort: str = "relevance"

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


class _Text:
    """The query text with recognised parts cut out as they are understood."""

    def __init__(self, text: str) -> None:
        self.text = text

    def take(self, pattern: re.Pattern) -> re.Match | None:
        match = pattern.search(self.text)
        if match:
            self.text = self.text[: match.start()] + " " + self.text[match.end() :]
        return match


def _numbers(match: re.Match) -> list[float]:
    return [float(group) for group in match.groups() if group is not None]


def parse_query(raw: Any) -> ParsedQuery:
    text = _Text(as_text(raw))
    filters: dict[str, str] = {}

    def take_filter(match: re.Match) -> str:
        value = next((group for group in match.groups()[1:] if group is not None), "").strip()
        if value:
            filters[match.group(1).lower()] = value
        return " "

    text.text = _FILTER.sub(take_filter, text.text)
    phrases = [" ".join(p.split()) for p in _PHRASE.findall(text.text) if p.strip()]
    text.text = _PHRASE.sub(" ", text.text).replace('"', " ")  # an unbalanced quote is noise
    rating = text.take(_RATING)
    in_stock = bool(text.take(_IN_STOCK))
    sort = next((s for pattern, s in _SORT_RE if text.take(pattern)), "relevance")
    price_min = price_max = None
    for pattern in _RANGES:
        if match := text.take(pattern):
            low, high = _numbers(match)
            price_min, price_max = min(low, high), max(low, high)
            break
    if price_max is None and (match := next(filter(None, map(text.take, _MAX)), None)):
        price_max = _numbers(match)[0]
    if price_min is None and (match := next(filter(None, map(text.take, _MIN)), None)):
        price_min = _numbers(match)[0]
    return ParsedQuery(
        keywords=" ".join(text.text.split()),
        brand=filters.get("brand"),
        category=filters.get("category"),
        price_min=price_min,
        price_max=price_max,
        phrases=tuple(phrases),
        rating_min=float(rating.group(1)) if rating else None,
        in_stock=in_stock,
        sort=sort,
    )
