"""Response formatter: the search response the API, the simulator and the storefront read."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

INTERLEAVED = "interleaving"  # the ranker a response names when two rankers' teams filled it
RESULT_KEYS = ("product_id", "title", "brand", "category", "price", "rating", "stock")
# A family's result names its chosen variant (`product_id`, what goes in the cart), the family
# (`family_id`: its parent), the variant's `options` and how many of the family's variants matched
# the query; a standalone product's result has none of the three (it is its own family).
FAMILY_KEYS = ("family_id", "options", "matching_variants")


@dataclass
class SearchResponse:
    query: str
    parsed: dict[str, Any]
    results: list[dict[str, Any]] = field(default_factory=list)
    total: int = 0
    ranker: str = "index"
    ranker_fallback: str | None = None
    took_ms: float = 0.0
    facets: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    relaxed: str | None = None  # what was given up to find anything: filters, any_term, fuzzy
    did_you_mean: str | None = None
    offset: int = 0
    limit: int = 20
    stock: str = "demote"  # how out-of-stock products were placed: demote | filter | ignore
    # Feature view -> entities the ranker read (partly) as defaults because Feast lacked them,
    # e.g. {"product_features": 2, "shopper_activity": 1}; empty when nothing fell back.
    feature_fallback: dict[str, int] = field(default_factory=dict)
    arm: str | None = None  # the searching shopper's A/B arm (storeloop.arms), None if anonymous
    # Randomised logging: the results at this position and the next were swapped (None: not).
    swapped_at: int | None = None

    def as_dict(self) -> dict[str, Any]:
        # Not dataclasses.asdict: its deep copy of every result took 1.3 ms of a 5 ms search, and
        # each response's rows, facets and parsed query are built for it alone.
        return {f.name: getattr(self, f.name) for f in fields(self)}


def format_results(
    candidates: list[dict[str, Any]], limit: int, offset: int = 0
) -> list[dict[str, Any]]:
    """Final order to result rows from `offset`; `position` is 1-based over all pages, `score`
    stays the index score (it is logged with the search as the ranker's `index_score` feature).
    An interleaved list's rows also carry `team`: the ranker version that placed the result."""
    return [
        {
            **{key: candidate.get(key) for key in RESULT_KEYS},
            **{key: candidate[key] for key in FAMILY_KEYS if key in candidate},
            "position": position,
            "score": float(candidate.get("score") or 0.0),
            **({"team": candidate["team"]} if "team" in candidate else {}),
        }
        for position, candidate in enumerate(candidates[offset : offset + limit], start=offset + 1)
    ]
