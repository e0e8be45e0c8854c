"""Search at catalog scale: build rate, index size and latency of a fixed 1,000-query mix at 1 and
8 concurrent clients, through SearchService without and with re-rank of the top 100 (the real
ranker class, fresh weights, through the real ranking hook), against raw tantivy searches of the
same queries in the same run.

    .venv/bin/python -m benchmarks.search_million [--products 1000000] [--queries 1000]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import shutil
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from benchmarks.reports import headline, write_report
from benchmarks.search_catalog import catalog_docs
from benchmarks.search_freshness import _cpu_model
from benchmarks.search_latency import summary
from benchmarks.search_profile import where_time_goes
from serving.search.client import query_spec
from serving.search.index.tantivy_index import TantivyIndex
from serving.search.index.tantivy_query import build_query
from serving.search.query_log import QueryLog
from serving.search.query_parser import parse_query
from serving.search.service import SearchService
from storeloop.heap import frozen_heap
from storeloop.settings import Settings


def build(root: Path, n: int, batch: int = 50_000) -> dict[str, Any]:
    """Indexes n products; times the index side (documents, writer, commit) apart from making
    the synthetic documents, which a real catalog would not pay."""
    index = TantivyIndex(root, bulk=True)
    indexing, started, chunk = 0.0, time.perf_counter(), []
    for doc in catalog_docs(n):
        chunk.append(doc)
        if len(chunk) == batch:
            at = time.perf_counter()
            index.add_new(chunk)
            indexing += time.perf_counter() - at
            chunk = []
    at = time.perf_counter()
    index.add_new(chunk)
    index.commit()
    indexing += time.perf_counter() - at
    size = sum(f.stat().st_size for f in index.generation.rglob("*") if f.is_file())
    index.close()
    return {
        "products": n,
        "index_docs_per_s": round(n / indexing),
        "with_generation_docs_per_s": round(n / (time.perf_counter() - started)),
        "index_mb": round(size / 1e6, 1),
        "bytes_per_product": round(size / n),
    }


def query_mix(index: TantivyIndex, n: int, seed: int = 7) -> list[str]:
    """Keywords, brand and category filters, price and rating words, sorts and typos."""
    rng = random.Random(seed)
    sample = index.search(query_spec(parse_query(""), min(n, 2_000))).hits
    queries = []
    for i in range(n):
        doc = sample[rng.randrange(len(sample))].doc
        words = [w.strip(",").lower() for w in str(doc["title"]).split()]
        query = " ".join(rng.sample(words, k=min(2, len(words))))
        kind = i % 7
        if kind == 1:
            query += f" brand:{str(doc['brand']).lower().split()[0]}"
        elif kind == 2:
            query += f" under {int(float(doc['price']) * 1.5) + 1}"
        elif kind == 3:
            query = f'category:"{doc["category"]}"'
        elif kind == 4 and len(query) > 5:
            cut = rng.randrange(1, len(query) - 1)
            query = query[:cut] + query[cut + 1 :]
        elif kind == 5:
            query += " 4 stars and up"
        elif kind == 6:
            query += " cheapest"
        queries.append(query)
    return queries


def timed(call: Any, queries: list[str], clients: int) -> dict[str, Any]:
    def one(query: str) -> float:
        started = time.perf_counter()
        call(query)
        return (time.perf_counter() - started) * 1000

    warm = queries[:50]
    everyone = threading.Barrier(clients)

    def first_call(query: str) -> None:
        everyone.wait()  # one call on each client thread, none twice
        call(query)

    with ThreadPoolExecutor(max_workers=clients) as pool:
        # Each client thread calls once before the clock starts: an HTTP client is built on its
        # thread's first call, 20 ms of CPU each here, and the 8 of them alone made the p99 of
        # 400 calls through the gateway about 230 ms.
        list(pool.map(first_call, [warm[n % len(warm)] for n in range(clients)] if warm else []))
        list(pool.map(call, warm))  # warm caches
        with frozen_heap():
            started = time.perf_counter()
            timings = list(pool.map(one, queries))
            wall = time.perf_counter() - started
    return {**summary(timings), "qps": round(len(queries) / wall, 1)}


def fresh_ranker() -> Any:
    """The production ranker class with freshly initialised weights (no trained model needed)."""
    import numpy as np

    from models.ranker.model import KNOTS, RankerNet, content_columns
    from models.ranker.predict import NetScorer, Ranker

    knots = np.tile(np.linspace(0.0, 1.0, KNOTS), (len(content_columns()), 1))
    return Ranker("fresh-weights", NetScorer(RankerNet(knots)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--products", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=1_000)
    parser.add_argument("--data-dir", type=Path, default=None, help="reused if it has an index")
    parser.add_argument("--torch-threads", type=int, default=1, help="0: torch's default")
    args = parser.parse_args()
    if args.torch_threads:
        import torch

        # One small matrix per search: torch's thread pool costs more than it saves (measured
        # 60 ms vs 1.7 ms per 100-row score on this loaded 2-core machine).
        torch.set_num_threads(args.torch_threads)
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="search_million_"))
    settings = Settings(data_dir=data_dir)
    figures: dict[str, Any] = {
        "machine": f"{os.cpu_count()} cores, {_cpu_model()}",
        "torch_threads": args.torch_threads or "default",
    }
    if not (settings.search_index_dir / "CURRENT").exists():
        figures["build"] = build(settings.search_index_dir, args.products)
    index = TantivyIndex(settings.search_index_dir)
    figures["products"] = index.count()
    queries = query_mix(index, args.queries)
    plain = SearchService(settings, index=index, queries=QueryLog())
    reranked = SearchService(settings, ranker=fresh_ranker(), index=index, queries=QueryLog(),
                             rerank_top_n=100, ranker_budget_s=0.5)  # fmt: skip
    searcher = index.searcher()
    specs = {q: build_query(index.schema, query_spec(parse_query(q), 20)) for q in queries}
    modes = {
        "raw_tantivy": lambda q: searcher.search(specs[q], limit=20, count=True),
        "service": lambda q: plain.search(q),
        "service_rerank_top100": lambda q: reranked.search(q),
    }
    for clients in (1, 8):
        for name, call in modes.items():
            figures[f"{name}_{clients}_clients_ms"] = timed(call, queries, clients)
    fallbacks: dict[str, int] = {}
    for query in queries[:200]:
        reason = str(reranked.search(query).ranker_fallback)
        fallbacks[reason] = fallbacks.get(reason, 0) + 1
    figures["rerank_fallbacks_of_200"] = fallbacks
    figures["where_time_goes_1_client"] = where_time_goes(plain, reranked, queries[:300])
    figures["max_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    figures["python"] = platform.python_version()
    figures["command"] = (
        f"python -m benchmarks.search_million --products {args.products} --queries {args.queries}"
    )
    served, raw = figures["service_1_clients_ms"], figures["raw_tantivy_1_clients_ms"]
    figures["headline"] = headline(
        f"search p50 at {figures['products']:,} products, 1 client, service vs raw tantivy",
        served["p50"], raw["p50"], reference_name="raw tantivy", unit="ms",
    )  # fmt: skip
    print(json.dumps(figures, indent=2))
    write_report("search_million", figures)
    if args.data_dir is None:
        shutil.rmtree(data_dir, ignore_errors=True)  # a million products: 200 MB of index


if __name__ == "__main__":
    main()
