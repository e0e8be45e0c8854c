"""Search latency through the search service against raw tantivy on the same queries, same run.

Needs a data dir that `make up` filled (default ./var), or one built with
`python -m benchmarks.search_catalog --data-dir DIR --products 5000` (then STORE_DATA_DIR=DIR).
Prints the machine, the figures and the ratio; the reference is tantivy's own `searcher.search`
on the parsed query, without the parser, aggregator, ranker hook and formatter around it.

    .venv/bin/python -m benchmarks.search_latency [--queries 1000]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import statistics
import time

import tantivy

from benchmarks.reports import headline, write_report
from serving.search.index.tantivy_layout import current_generation
from serving.search.index.tantivy_schema import register_analyzers
from serving.search.service import SearchService
from storeloop.settings import Settings


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def summary(timings: list[float]) -> dict[str, float]:
    return {
        "p50": round(percentile(timings, 0.5), 3),
        "p99": round(percentile(timings, 0.99), 3),
        "mean": round(statistics.fmean(timings), 3),
    }


def query_mix(service: SearchService, n: int, seed: int) -> list[str]:
    """Words of real titles, some with a brand filter, a price phrase or a typo."""
    rng = random.Random(seed)
    docs = service.index.search(service_spec_all(n)).hits
    queries = []
    for i in range(n):
        doc = docs[i % len(docs)].doc
        words = str(doc["title"]).lower().replace(",", "").split()
        query = " ".join(rng.sample(words, k=min(2, len(words))))
        kind = i % 4
        if kind == 1:
            query += f" brand:{str(doc['brand']).lower().split()[0]}"
        elif kind == 2:
            query += f" under {int(float(doc['price']) * 1.5) + 1}"
        elif kind == 3 and len(query) > 4:
            cut = rng.randrange(1, len(query) - 1)
            query = query[:cut] + query[cut + 1 :]
        queries.append(query)
    return queries


def service_spec_all(limit: int):
    from serving.search.index.port import QuerySpec

    return QuerySpec(limit=limit)


def time_each(call, queries: list[str]) -> list[float]:
    timings = []
    for query in queries:
        started = time.perf_counter()
        call(query)
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--queries", type=int, default=1000)
    args = parser.parse_args()
    settings = Settings()
    service = SearchService(settings)
    queries = query_mix(service, args.queries, settings.seed)
    raw_index = tantivy.Index.open(str(current_generation(settings.search_index_dir)))
    register_analyzers(raw_index)
    raw_index.reload()
    searcher = raw_index.searcher()

    def raw(query: str) -> None:
        words = re.sub(r"[^a-z0-9 ]", " ", query.split(" brand:")[0].split(" under ")[0])
        parsed = raw_index.parse_query(words.strip() or "*", ["title", "description"])
        searcher.search(parsed, limit=20)

    def served(query: str) -> None:
        service.search(query, limit=20)

    time_each(raw, queries[:50]), time_each(served, queries[:50])  # warm caches
    raw_ms, served_ms = time_each(raw, queries), time_each(served, queries)
    service_figures, reference = summary(served_ms), summary(raw_ms)
    figures: dict[str, object] = {
        "machine": f"{platform.machine()} {os.cpu_count()} cores, {platform.python_version()}",
        "products": service.index.count(),
        "queries": len(queries),
        "search_service_ms": service_figures,
        "raw_tantivy_ms": reference,
        "ratio_p50": round(service_figures["p50"] / reference["p50"], 2),
    }
    figures["command"] = f"python -m benchmarks.search_latency --queries {args.queries}"
    figures["headline"] = headline(
        "search p50, service vs raw tantivy (same queries)", service_figures["p50"],
        reference["p50"], reference_name="raw tantivy", unit="ms",
    )  # fmt: skip
    print(json.dumps(figures, indent=2))
    write_report("search_latency", figures)


if __name__ == "__main__":
    main()
