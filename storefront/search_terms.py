"""The search page's filters as the words serving's query parser understands (`brand:"..."`,
`between 10 and 50`, `4+ stars`): one query language for shoppers who type and who click."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode

FILTERS = ("brand", "category", "min_price", "max_price", "min_rating")
SORTS = {
    "relevance": "Best match",
    "price_asc": "Price: low to high",
    "price_desc": "Price: high to low",
    "rating": "Customer rating",
    "newest": "Newest",
}
PAGE_SIZE = 12


def _quoted(value: str) -> str:
    return '"' + value.replace('"', "") + '"'


def _amount(value: str) -> str | None:
    try:
        return f"{max(float(value), 0):g}" if value.strip() else None
    except ValueError:
        return None


def query_text(q: str, chosen: Mapping[str, str]) -> str:
    words = [q.strip()]
    for name in ("brand", "category"):
        if chosen.get(name):
            words.append(f"{name}:{_quoted(chosen[name])}")
    low, high = _amount(chosen.get("min_price", "")), _amount(chosen.get("max_price", ""))
    if low and high:
        words.append(f"between {low} and {high} dollars")
    elif low:
        words.append(f"over {low} dollars")
    elif high:
        words.append(f"under {high} dollars")
    if (rating := chosen.get("min_rating", "")) in {"1", "2", "3", "4"}:
        words.append(f"{rating}+ stars")
    return " ".join(word for word in words if word)


RELAXED = {
    "filters": "without some of the filters",
    "any_term": "matching any of the words",
    "fuzzy": "with similar spellings",
}


def facet_choice(facet: str, value: str) -> dict[str, str] | None:
    """The filters a facet value of serving's stands for: "acme" for a brand, "25-50" or "<25"
    for a price band, "4+" for a rating."""
    if facet in ("brand", "category"):
        return {facet: value}
    if facet == "rating" and value.endswith("+") and value[:-1] in {"1", "2", "3", "4"}:
        return {"min_rating": value[:-1]}
    if facet == "price":
        low, _, high = value.lstrip("<").partition("-")
        if value.startswith("<"):
            return {"min_price": "", "max_price": low}
        if value.endswith("+"):
            return {"min_price": value[:-1], "max_price": ""}
        return {"min_price": low, "max_price": high} if high else None
    return None


def facet_label(facet: str, value: str) -> str:
    if facet == "price":
        if value.startswith("<"):
            return f"Under ${value[1:]}"
        return (
            f"${value[:-1]} and over" if value.endswith("+") else f"${value.replace('-', ' to $')}"
        )
    if facet == "rating":
        return f"{value[:-1]} star{'' if value[:-1] == '1' else 's'} and up"
    return value.title()


def page_url(q: str, chosen: Mapping[str, str], **changes: str | int | None) -> str:
    """The search page with some parameters changed (None drops one); back to page 1 unless
    the page is what changed."""
    params: dict[str, str | int | None] = {"q": q, **chosen, "page": None, **changes}
    kept = {k: v for k, v in params.items() if v not in (None, "")}
    return "/shop/search?" + urlencode(kept)
