"""Search impressions and clicks as the storefront reports them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from numbers import Integral, Real
from typing import Any

from transactional.common.errors import Invalid, NotFound


class StorefrontErrorCode(StrEnum):
    SEARCH_NOT_FOUND = "search_not_found"
    INVALID_SEARCH = "invalid_search"


class SearchNotFound(NotFound):
    def __init__(self, search_id: str) -> None:
        super().__init__(
            StorefrontErrorCode.SEARCH_NOT_FOUND, f"no search {search_id!r}", "search_id"
        )


class InvalidSearch(Invalid):
    def __init__(self, message: str, field: str) -> None:
        super().__init__(StorefrontErrorCode.INVALID_SEARCH, message, field)


@dataclass(frozen=True)
class Impression:
    product_id: str
    position: int  # 1-based, as shown
    score: float  # the index score, before any ranker

    def payload(self) -> dict[str, Any]:
        return {"product_id": self.product_id, "position": self.position, "score": self.score}


def impressions(results: Iterable[Mapping[str, Any]]) -> list[Impression]:
    """Validates what the search returned; raises InvalidSearch naming e.g. `results.2.position`."""
    shown = []
    for index, result in enumerate(results):
        where = f"results.{index}"
        try:
            product_id, position, score = result["product_id"], result["position"], result["score"]
        except (KeyError, TypeError):
            raise InvalidSearch("needs product_id, position and score", where) from None
        if not isinstance(product_id, str) or not product_id:
            raise InvalidSearch("product_id must be a non-empty string", f"{where}.product_id")
        position = ensure_position(position, f"{where}.position")
        # Integral and Real, not int and float: numpy numbers are welcome.
        if isinstance(score, bool) or not isinstance(score, Real):
            raise InvalidSearch("score must be a number", f"{where}.score")
        shown.append(Impression(product_id, position, float(score)))
    return shown


def ensure_position(position: object, field: str = "position") -> int:
    if isinstance(position, bool) or not isinstance(position, Integral) or position < 1:
        raise InvalidSearch("position must be an integer >= 1", field)
    return int(position)
