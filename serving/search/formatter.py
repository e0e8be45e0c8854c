"""Response formatter: the search response the API, the simulator and the storefront read."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

RESULT_KEYS = ("product_id", "title", "brand", "category", "price", "rating", "stock")


@dataclass
class SearchResponse:
    query: str
    parsed: dict[str, Any]
    results: list[dict[str, Any]] = field(default_factory=list)
    total: int = 0
    ranker: str = "index"
    ranker_fallback: str | None = None
    took_ms: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def format_results(candidates: list[dict[str, Any]], limit: int) -> list[dict[str, Any]]:
    """Final order to result rows; `position` is 1-based, `score` stays the index score
    (it is logged with the search as the ranker's `index_score` feature)."""
    return [
        {
            **{key: candidate.get(key) for key in RESULT_KEYS},
            "position": position,
            "score": float(candidate.get("score") or 0.0),
        }
        for position, candidate in enumerate(candidates[:limit], start=1)
    ]
