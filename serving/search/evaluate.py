"""Search relevance against the simulator's held-out judged queries: NDCG@10, recall@100 and the
zero-result rate, for index order alone and for index plus the champion ranker.

    .venv/bin/python -m serving.search.evaluate   # prints JSON, also saved in reports_dir
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterable
from typing import Any

from serving.search.service import MAX_LIMIT, SearchService
from storeloop.settings import Settings

REPORT_FILE = "search_relevance.json"
CHAMPION, ONLINE = "champion", "online"


def ndcg_at(
    ranked: list[str], grades: dict[str, int], k: int = 10, families: dict[str, str] | None = None
) -> float:
    """Exponential gains (2^grade - 1) of the products shown; the ideal order from every judged
    product, a family's variants (`families`: variant -> family) by its best one only, since a
    list shows a family once."""
    gain = sum((2 ** grades.get(pid, 0) - 1) / math.log2(i + 2) for i, pid in enumerate(ranked[:k]))
    best_of: dict[str, int] = {}
    for pid, grade in grades.items():
        family = (families or {}).get(pid, pid)
        best_of[family] = max(grade, best_of.get(family, 0))
    ideal = sorted(best_of.values(), reverse=True)[:k]
    best = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    return gain / best if best else 0.0


def recall_at(
    ranked: list[str],
    grades: dict[str, int],
    depth: int = 100,
    families: dict[str, str] | None = None,
) -> float:
    """Share of the relevant products found, a family found when any of its variants shows."""
    family = (families or {}).get
    relevant = {family(pid, pid) for pid, grade in grades.items() if grade > 0}
    found = {family(pid, pid) for pid in ranked[:depth]}
    return len(relevant & found) / len(relevant) if relevant else 0.0


def score_service(service: SearchService, judged: Iterable[Any]) -> dict[str, Any]:
    """Mean metrics over the judged queries, searched as the shopper (or anonymously) would."""
    ndcg, recall, zero, fallbacks = [], [], 0, Counter[str]()
    for query in judged:
        response = service.search(query.query, query.customer_id, limit=MAX_LIMIT, facets=False)
        ranked = [row["product_id"] for row in response.results]
        families = {
            **getattr(query, "families", {}),
            **{row["product_id"]: row["family_id"] for row in response.results
               if row.get("family_id")},
        }  # fmt: skip
        ndcg.append(ndcg_at(ranked, query.judgments, families=families))
        recall.append(recall_at(ranked, query.judgments, MAX_LIMIT, families))
        zero += not ranked
        fallbacks[str(response.ranker_fallback)] += 1
    count = max(1, len(ndcg))
    return {
        "ndcg_at_10": round(sum(ndcg) / count, 4),
        "recall_at_100": round(sum(recall) / count, 4),
        "zero_result_rate": round(zero / count, 4),
        "ranker_fallbacks": dict(fallbacks),
    }


def judged_queries(settings: Settings) -> list[Any]:
    """The simulator's judged set, drawn from its hidden truth (300 queries) if not drawn yet."""
    from simulation.judged_queries import (
        JUDGED_QUERIES_FILE,
        build_judged_queries,
        load_judged_queries,
    )

    if (settings.simulation_dir / JUDGED_QUERIES_FILE).exists():
        return load_judged_queries(settings)
    return build_judged_queries(settings)


def evaluate(
    settings: Settings,
    judged: list[Any] | None = None,
    ranker: Any = CHAMPION,
    features: Any = ONLINE,
) -> dict[str, Any]:
    """`ranker`: the registry's champion by default, or a given one (None: index order only);
    `features`: Feast's online store by default, or None (the ranker sees feature defaults)."""
    judged = judged_queries(settings) if judged is None else judged
    index_only = SearchService(settings)
    report: dict[str, Any] = {
        "queries": len(judged),
        "personalised": sum(1 for q in judged if q.customer_id),
        "index": score_service(index_only, judged),
    }
    ranker = _champion(settings) if ranker is CHAMPION else ranker
    if ranker is None:
        report["index_plus_ranker"] = "no champion ranker: search serves index order"
    else:
        # The whole first page of 100 is re-ranked, with a budget that measures the model, not
        # the machine's load; fallbacks are still counted.
        ranked = SearchService(
            settings, ranker=ranker, index=index_only.index,
            features=_features(settings) if features is ONLINE else features,
            rerank_top_n=MAX_LIMIT, ranker_budget_s=5.0,
        )  # fmt: skip
        report["ranker_version"] = str(ranker.version)
        report["index_plus_ranker"] = score_service(ranked, judged)
    index_only.close()
    report["headline"] = _headline(report)
    settings.reports_dir.mkdir(parents=True, exist_ok=True)
    (settings.reports_dir / REPORT_FILE).write_text(json.dumps(report, indent=2))
    return report


def _headline(report: dict[str, Any]) -> dict[str, Any]:
    """The row `make bench-all` shows (the keys of benchmarks.reports.headline)."""
    index = report["index"]["ndcg_at_10"]
    ranked = report["index_plus_ranker"]
    figure = ranked["ndcg_at_10"] if isinstance(ranked, dict) else None
    return {
        "metric": "search NDCG@10 on the judged queries, index + champion ranker",
        "figure": figure,
        "reference": index,
        "reference_name": "index order alone",
        "unit": "",
        "ratio": round(figure / index, 3) if figure is not None and index else None,
        "goal": None,
        "met": None,
    }


def _champion(settings: Settings) -> Any:
    from models.ranker.predict import load_champion_ranker

    return load_champion_ranker(settings)


def _features(settings: Settings) -> Any:
    from serving.features import OnlineFeatures

    return OnlineFeatures(settings)


if __name__ == "__main__":
    print(json.dumps(evaluate(Settings()), indent=2))
