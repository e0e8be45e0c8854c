"""Search and recommendation impressions and clicks as the storefront reports them."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from numbers import Integral, Real
from typing import Any

from contracts.events import EXPERIMENT_ARMS, PAGE_KINDS, RECOMMENDATION_SURFACES
from transactional.common.errors import Invalid, NotFound

# Column widths of the searches / recommendation_lists tables: longer text is refused up front
# (PostgreSQL would fail the insert with an untyped error).
MAX_NAME = 64
MAX_ID = 32  # product and customer ids


class StorefrontErrorCode(StrEnum):
    SEARCH_NOT_FOUND = "search_not_found"
    INVALID_SEARCH = "invalid_search"
    RECOMMENDATION_NOT_FOUND = "recommendation_not_found"
    INVALID_RECOMMENDATIONS = "invalid_recommendations"
    INVALID_PAGE_VIEW = "invalid_page_view"


class SearchNotFound(NotFound):
    def __init__(self, search_id: str) -> None:
        super().__init__(
            StorefrontErrorCode.SEARCH_NOT_FOUND, f"no search {search_id!r}", "search_id"
        )


class InvalidSearch(Invalid):
    def __init__(self, message: str, field: str) -> None:
        super().__init__(StorefrontErrorCode.INVALID_SEARCH, message, field)


class RecommendationNotFound(NotFound):
    def __init__(self, recommendation_id: str) -> None:
        super().__init__(
            StorefrontErrorCode.RECOMMENDATION_NOT_FOUND,
            f"no recommendation list {recommendation_id!r}",
            "recommendation_id",
        )


class InvalidRecommendations(Invalid):
    def __init__(self, message: str, field: str) -> None:
        super().__init__(StorefrontErrorCode.INVALID_RECOMMENDATIONS, message, field)


class InvalidPageView(Invalid):
    def __init__(self, message: str, field: str) -> None:
        super().__init__(StorefrontErrorCode.INVALID_PAGE_VIEW, message, field)


# The error a validation raises: InvalidSearch or InvalidRecommendations, (message, field).
Refusal = Callable[[str, str], Invalid]


@dataclass(frozen=True)
class Impression:
    product_id: str
    position: int  # 1-based, as shown
    score: float  # the score the list was ordered by (index score for a search)
    team: str | None = None  # in an interleaved search: the ranker version that placed it

    def payload(self) -> dict[str, Any]:
        shown = {"product_id": self.product_id, "position": self.position, "score": self.score}
        return shown if self.team is None else {**shown, "team": self.team}


def impressions(
    results: Iterable[Mapping[str, Any]],
    where: str = "results",
    invalid: Refusal = InvalidSearch,
    teams: bool = True,
) -> list[Impression]:
    """Validates what a list showed; raises `invalid` naming e.g. `results.2.position`. Positions
    are distinct: the lake keys an impression by (list, position). With `teams` a row may name
    the `team` (ranker version) that placed it; lists that are not interleaved may not."""
    shown: list[Impression] = []
    taken: set[int] = set()
    for index, result in enumerate(results):
        at = f"{where}.{index}"
        try:
            product_id, position, score = result["product_id"], result["position"], result["score"]
        except (KeyError, TypeError):
            raise invalid("needs product_id, position and score", at) from None
        product_id = ensure_text(product_id, f"{at}.product_id", None, invalid)
        position = ensure_position(position, f"{at}.position", invalid)
        if position in taken:
            raise invalid(f"position {position} is shown twice", f"{at}.position")
        taken.add(position)
        # Integral and Real, not int and float: numpy numbers are welcome.
        if isinstance(score, bool) or not isinstance(score, Real):
            raise invalid("score must be a number", f"{at}.score")
        team = result.get("team") if isinstance(result, Mapping) else None
        if team is not None:
            if not teams:
                raise invalid("only an interleaved search names teams", f"{at}.team")
            team = ensure_text(team, f"{at}.team", MAX_NAME, invalid)
        shown.append(Impression(product_id, position, float(score), team))
    return shown


def ensure_position(
    position: object, field: str = "position", invalid: Refusal = InvalidSearch
) -> int:
    if isinstance(position, bool) or not isinstance(position, Integral) or position < 1:
        raise invalid("position must be an integer >= 1", field)
    return int(position)


def ensure_swap(swapped_at: object, shown: int) -> int | None:
    """A randomised swap names a position with a result after it, or nothing."""
    if swapped_at is None:
        return None
    position = ensure_position(swapped_at, "swapped_at")
    if position >= shown:
        raise InvalidSearch("swapped_at must name a position before the last result", "swapped_at")
    return position


def ensure_text(value: object, field: str, limit: int | None, invalid: Refusal) -> str:
    """A non-empty string of at most `limit` characters (the width of its column, if stored)."""
    if not isinstance(value, str) or not value:
        raise invalid(f"{field} must be a non-empty string", field)
    if limit is not None and len(value) > limit:
        raise invalid(f"{field} is longer than {limit} characters", field)
    return value


@dataclass(frozen=True)
class RecommendationList:
    """Where a recommendation list was shown and what produced it."""

    surface: str  # one of RECOMMENDATION_SURFACES
    anchor_product_id: str | None  # the product page of a "similar" list
    recommender: str  # a registry version ("7") or the baseline ("popularity")
    strategy: str  # how the list was filled ("sasrec", "item_knn", "also_bought", ...)


def recommendation_list(
    surface: object, anchor_product_id: object, recommender: object, strategy: object
) -> RecommendationList:
    """Raises InvalidRecommendations naming the field: an unknown surface, a "similar" list
    without the product it is similar to, an empty recommender or strategy."""
    invalid = InvalidRecommendations
    if surface not in RECOMMENDATION_SURFACES:
        raise invalid(f"surface must be one of {', '.join(RECOMMENDATION_SURFACES)}", "surface")
    anchor = None
    if anchor_product_id is not None or surface == "similar":
        anchor = ensure_text(anchor_product_id, "anchor_product_id", MAX_ID, invalid)
    return RecommendationList(
        str(surface),
        anchor,
        ensure_text(recommender, "recommender", MAX_NAME, invalid),
        ensure_text(strategy, "strategy", MAX_NAME, invalid),
    )


def ensure_arm(arm: object, invalid: Refusal) -> str | None:
    """None (no experiment) or one of the A/B test's arms."""
    if arm is not None and arm not in EXPERIMENT_ARMS:
        raise invalid(f"arm must be one of {', '.join(EXPERIMENT_ARMS)} or absent", "arm")
    return arm if arm is None else str(arm)


MAX_PATH = 500


@dataclass(frozen=True)
class PageView:
    """A page of the storefront a shopper loaded."""

    page: str  # one of PAGE_KINDS
    path: str
    product_id: str | None  # on a product page, and only there
    referrer_page: str | None  # the kind of the shop's page they came from

    def payload(self) -> dict[str, Any]:
        return {
            "page": self.page,
            "path": self.path,
            "product_id": self.product_id,
            "referrer_page": self.referrer_page,
        }


def page_view(page: object, path: object, product_id: object, referrer_page: object) -> PageView:
    """Raises InvalidPageView naming the field: an unknown page kind, a path that is not one, a
    product page without its product (or another page naming one)."""
    invalid = InvalidPageView
    kinds = ", ".join(PAGE_KINDS)
    if page not in PAGE_KINDS:
        raise invalid(f"page must be one of {kinds}", "page")
    if referrer_page is not None and referrer_page not in PAGE_KINDS:
        raise invalid(f"referrer_page must be one of {kinds} or absent", "referrer_page")
    path = ensure_text(path, "path", MAX_PATH, invalid)
    if not path.startswith("/"):
        raise invalid("path must start with /", "path")
    if page == "product":
        product_id = ensure_text(product_id, "product_id", MAX_ID, invalid)
    elif product_id is not None:
        raise invalid("only a product page names a product", "product_id")
    return PageView(
        str(page), path, product_id, None if referrer_page is None else str(referrer_page)
    )
