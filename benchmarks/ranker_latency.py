"""Ranking hook latency: the champion scores the top N candidates of a search (features built,
query embedded, model run), warm and cold query cache, against index order in the same run.

Run: `python -m benchmarks.ranker_latency --data-dir var --candidates 100 --searches 200`
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from benchmarks.reports import headline, write_report


def machine() -> dict:
    model = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")), platform.processor(),
    )  # fmt: skip
    return {"cores": os.cpu_count(), "cpu": model}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", default="var")
    parser.add_argument("--candidates", type=int, default=100)
    parser.add_argument("--searches", type=int, default=200)
    parser.add_argument("--version", help="a registered version (default: the champion)")
    parser.add_argument(
        "--threads", type=int, default=1, help="torch threads (Ray Serve's replicas run with 1)"
    )
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch

    torch.set_num_threads(args.threads)
    from models.ranker.catalog import product_titles
    from models.ranker.embeddings import TitleEmbeddings
    from models.ranker.predict import Ranker, load_champion_ranker, load_version
    from serving.search.ranking import rank_candidates
    from storeloop.settings import Settings

    settings = Settings(data_dir=Path(args.data_dir))
    ranker: Ranker | None = None
    if args.version:
        ranker = load_version(settings, args.version, TitleEmbeddings.from_store(settings))
    else:
        ranker = load_champion_ranker(settings)
    if ranker is None:
        raise SystemExit(f"no champion ranker in {settings.tracking_uri}: pass --version")
    titles = list(product_titles(settings).items())
    rng = np.random.default_rng(0)
    words = ["running", "shoes", "kitchen", "knife", "garden", "hose", "red", "leather", "lamp"]
    executor = ThreadPoolExecutor(max_workers=1)

    def one(ranked_by, query: str) -> float:
        picks = rng.choice(len(titles), size=args.candidates, replace=False)
        candidates = [
            {"product_id": titles[i][0], "title": titles[i][1], "score": float(args.candidates - n),
             "price": 20.0, "rating": 4.0, "stock": 3}
            for n, i in enumerate(picks)
        ]  # fmt: skip
        started = time.perf_counter()
        outcome = rank_candidates(candidates, ranked_by, executor, {}, None, args.candidates,
                                  budget_s=5.0, query=query)  # fmt: skip
        assert outcome.fallback in (None, "no_ranker")
        return (time.perf_counter() - started) * 1000

    queries = [" ".join(rng.choice(words, size=2)) for _ in range(args.searches)]
    for query in queries[:5]:
        one(ranker, query)  # warm-up: threads, caches of the first queries
    cold = [one(ranker, f"{q} {i}x") for i, q in enumerate(queries)]  # new query each time
    for query in queries:
        one(ranker, query)  # each query's vector now cached, as for a repeated search
    warm = [one(ranker, q) for q in queries]
    index = [one(None, q) for q in queries]
    report = {
        "machine": machine(),
        "ranker_version": ranker.version,
        "ranker_kind": type(ranker.scorer).__name__,
        "candidates": args.candidates,
        "searches": args.searches,
        "torch_threads": args.threads,
        **{
            f"{name}_ms": {"p50": float(np.percentile(v, 50)), "p95": float(np.percentile(v, 95))}
            for name, v in (
                ("ranked_cold_query", cold),
                ("ranked_warm_query", warm),
                ("index_order_reference", index),
            )
        },  # fmt: skip
    }
    report["headline"] = headline(
        f"ranking {args.candidates} candidates p50, cold query",
        report["ranked_cold_query_ms"]["p50"], report["index_order_reference_ms"]["p50"],
        reference_name="index order", unit="ms",
    )  # fmt: skip
    print(json.dumps(report, indent=1))
    write_report("ranker_latency", report)
    executor.shutdown()


if __name__ == "__main__":
    main()
