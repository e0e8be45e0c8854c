"""Search over HTTP through the serving app on Ray Serve: 1 replica against one per core, at 1 and
8 concurrent clients, with raw tantivy searches of the same queries in the same run.

One Python process serialises searches on the interpreter lock, so 8 clients queue behind one
another; replicas are separate processes over the same memory-mapped index files. It calls Ray
Serve directly, not the gateway: serving has no rate limiter, so there is none to set. Run it on
a data dir with an index, e.g. the million-product one:

    .venv/bin/python -m benchmarks.search_million --data-dir /tmp/million   # builds and keeps it
    .venv/bin/python -m benchmarks.search_http --data-dir /tmp/million [--queries 1000]

With the data dir of a `make up` (default ./var) the served champion ranker re-ranks each search,
and the figures include it (`ranker` in the output says which ran).
"""

from __future__ import annotations

import argparse
import json
import os
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from benchmarks.reports import headline, write_report
from benchmarks.search_freshness import _cpu_model
from benchmarks.search_million import query_mix, timed
from serving.search.client import query_spec
from serving.search.index.tantivy_index import TantivyIndex
from serving.search.index.tantivy_query import build_query
from serving.search.query_parser import parse_query
from storeloop.settings import Settings


def http_caller(base_url: str, seen: dict[str, int]) -> Any:
    """One keep-alive connection per client thread, as a storefront's pool would hold."""
    local = threading.local()

    def call(query: str) -> None:
        client = getattr(local, "client", None)
        if client is None:
            client = local.client = httpx.Client(base_url=base_url, timeout=30.0)
        answer = client.get("/search", params={"q": query})
        answer.raise_for_status()
        ranker = str(answer.json().get("ranker"))
        seen[ranker] = seen.get(ranker, 0) + 1

    return call


def over_http(settings: Settings, queries: list[str], replicas: int) -> dict[str, Any]:
    from serving import run

    started = time.perf_counter()
    url = run.start(settings.model_copy(update={"serving_replicas": replicas}), poll_s=60.0)
    figures: dict[str, Any] = {"start_s": round(time.perf_counter() - started, 1)}
    try:
        seen: dict[str, int] = {}
        call = http_caller(url, seen)
        for clients in (1, 8):
            figures[f"{clients}_clients_ms"] = measured = timed(call, queries, clients)
            print(f"  {replicas} replica(s), {clients} client(s): {measured}")
        figures["ranker_answers"] = seen
    finally:
        run.stop()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", type=Path, default=None, help="default: STORE_DATA_DIR")
    parser.add_argument("--queries", type=int, default=1_000)
    parser.add_argument("--replicas", type=int, default=0, help="0: one per core")
    args = parser.parse_args()
    settings = Settings(data_dir=args.data_dir) if args.data_dir else Settings()
    if not (settings.search_index_dir / "CURRENT").exists():
        raise SystemExit(f"no search index under {settings.search_index_dir}: see the docstring")
    index = TantivyIndex(settings.search_index_dir)
    queries = query_mix(index, args.queries)
    searcher = index.searcher()
    specs = {q: build_query(index.schema, query_spec(parse_query(q), 20)) for q in queries}
    figures: dict[str, Any] = {
        "machine": f"{os.cpu_count()} cores, {_cpu_model()}",
        "products": index.count(),
        "queries": len(queries),
    }
    print("raw tantivy, in this process ...")
    for clients in (1, 8):
        raw = timed(lambda q: searcher.search(specs[q], limit=20, count=True), queries, clients)
        figures[f"raw_tantivy_{clients}_clients_ms"] = raw
    index.close()
    many = args.replicas or os.cpu_count() or 1
    for replicas in sorted({1, many}):
        print(f"HTTP through Ray Serve, {replicas} replica(s) ...")
        figures[f"http_{replicas}_replicas"] = over_http(settings, queries, replicas)
    figures["command"] = (
        f"python -m benchmarks.search_http --data-dir {settings.data_dir} --queries {args.queries}"
    )
    served, raw = (
        figures[f"http_{many}_replicas"]["8_clients_ms"],
        figures["raw_tantivy_8_clients_ms"],
    )
    figures["rate_limits"] = "none: Ray Serve directly, which has no rate limiter (the gateway's)"
    figures["headline"] = headline(
        f"search p50 over HTTP, {many} replica(s), 8 clients, vs raw tantivy in process",
        served["p50"], raw["p50"], reference_name="raw tantivy, 8 threads", unit="ms",
    )  # fmt: skip
    print(json.dumps(figures, indent=2))
    write_report("search_http", figures)


if __name__ == "__main__":
    main()
