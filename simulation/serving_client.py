"""What the shop is shown comes from serving: the client protocol, and how its answers are read.

Responses are serving's JSON. Search: `{"results": [{"product_id", "position", "score", ...}],
"ranker": str, ...}`, each result of an interleaved list also naming its `team`. Recommendations
(feed and similar items): `{"recommender": str, "kind": str, "strategy": str, "fallback":
str | None, "items": [{"product_id", "position", "score", ...}]}`; keys other than the items
and the recommender may be absent.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

SEARCH_LIMIT = 20  # one result page


@runtime_checkable
class ServingClient(Protocol):
    def search(self, query: str, customer_id: str | None) -> dict[str, Any]: ...

    def feed(self, customer_id: str, k: int) -> dict[str, Any]: ...

    def similar(self, product_id: str, customer_id: str | None, k: int) -> dict[str, Any]: ...


class SearchOnly:
    """A bare `search(query, customer_id)` callable as a client that shows no recommendations:
    the shape `simulate` has always taken (and tests with a stand-in search engine)."""

    recommends = False

    def __init__(self, search: Callable[[str, str | None], Any]) -> None:
        self._search = search

    def search(self, query: str, customer_id: str | None) -> Any:
        return self._search(query, customer_id)

    def feed(self, customer_id: str, k: int) -> dict[str, Any]:
        raise NotImplementedError("a search-only client shows no feed")

    def similar(self, product_id: str, customer_id: str | None, k: int) -> dict[str, Any]:
        raise NotImplementedError("a search-only client shows no similar items")


def as_serving_client(serving: Any) -> Any:
    """A full client as it is; a bare search callable wrapped in `SearchOnly`."""
    if isinstance(serving, ServingClient):
        return serving
    return SearchOnly(serving)


def shows_recommendations(serving: Any) -> bool:
    return bool(getattr(serving, "recommends", True))


@dataclass(frozen=True)
class RecommendationList:
    rows: list[dict[str, Any]]  # {product_id, position, score}, by position
    recommender: str  # a model version ("7") or a baseline's name ("popularity")
    strategy: str
    kind: str | None
    fallback: str | None
    arm: str | None = None  # the shopper's A/B arm, as serving named it


def _field(item: Any, name: str) -> Any:
    return item[name] if isinstance(item, dict) else getattr(item, name)


def _rows(items: Any) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = [
        {
            "product_id": str(_field(item, "product_id")),
            "position": int(_field(item, "position")),
            "score": float(_field(item, "score") or 0.0),
            **({"team": str(item["team"])} if isinstance(item, dict) and "team" in item else {}),
        }
        for item in items
    ]
    rows.sort(key=lambda row: row["position"])
    return rows


def read_search_response(response: Any) -> tuple[list[dict[str, Any]], str]:
    """The results as `{product_id, position, score}` dicts, and the ranker that produced them.

    Also takes an object with `.results` and `.ranker` (`serving.search.service.SearchResponse`);
    a bare list of results is taken as ranker "index"."""
    items: Any
    ranker: Any
    if isinstance(response, list):
        items, ranker = response, "index"
    elif isinstance(response, dict):
        items, ranker = response["results"], response.get("ranker")
    else:
        items, ranker = response.results, getattr(response, "ranker", None)
    return _rows(items), str(ranker or "index")


def _named(response: Any, name: str) -> Any:
    """A search response's field, from its JSON (dict) or its object; None where absent."""
    return response.get(name) if isinstance(response, dict) else getattr(response, name, None)


def read_arm(response: Any) -> str | None:
    """The shopper's A/B arm a search response names (None: anonymous, or no test)."""
    arm = _named(response, "arm")
    return None if arm is None else str(arm)


def read_swapped_at(response: Any) -> int | None:
    """The position a search response swapped with the next at random (None: none)."""
    swapped = _named(response, "swapped_at")
    return None if swapped is None else int(swapped)


def read_recommendations(response: dict[str, Any]) -> RecommendationList:
    return RecommendationList(
        rows=_rows(response.get("items") or []),
        recommender=str(response.get("recommender") or "unknown"),
        strategy=str(response.get("strategy") or "unknown"),
        kind=response.get("kind"),
        fallback=response.get("fallback"),
        arm=response.get("arm"),
    )
