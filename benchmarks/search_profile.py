"""Where a search's time goes: cProfile over the service, summed by stage (ms per query)."""

from __future__ import annotations

import cProfile
import pstats
from typing import Any

# Stage name -> (file suffix, function name) whose cumulative time is that stage.
STAGES = {
    "parse": ("query_parser.py", "parse_query"),
    "index_search": ("tantivy_index.py", "search"),
    "facets": ("tantivy_index.py", "facets"),
    "hydrate_and_candidates": ("aggregator.py", "to_candidates"),
    "spelling": ("spelling.py", "did_you_mean"),
    "ranker_features": ("service.py", "_features"),
    "ranker_hook": ("ranking.py", "rank_candidates"),
    "format": ("formatter.py", "format_results"),
    "total": ("service.py", "search"),
}


def stage_times(call: Any, queries: list[str]) -> dict[str, float]:
    profile = cProfile.Profile()
    profile.enable()
    for query in queries:
        call(query)
    profile.disable()
    stats = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    found: dict[str, float] = {}
    for stage, (suffix, name) in STAGES.items():
        seconds = sum(
            row[3]
            for (path, _, function), row in stats.items()
            if function == name and path.endswith(suffix)
        )
        found[stage] = round(seconds * 1000 / max(1, len(queries)), 3)
    return found


def where_time_goes(plain: Any, reranked: Any, queries: list[str]) -> dict[str, Any]:
    """Per-query ms by stage (profiled, so slower than the timed runs; compare shares)."""
    return {
        "service": stage_times(plain.search, queries),
        "service_rerank_top100": stage_times(reranked.search, queries),
    }
