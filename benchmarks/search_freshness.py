"""Search freshness: time from a catalog commit to its visibility in SearchService results.

A writer creates, updates, stocks out (a real checkout of the last unit) and deletes products
through the transactional service layer, one at a time; the real SearchIndexer follows the
outbox in its own process; each change is timed until search shows it. Deleted products are
searched again at the end and must never come back. Reference, same run: one search's latency.

    .venv/bin/python -m benchmarks.search_freshness [--ops 200] [--indexer-interval-ms 50]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import platform
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from benchmarks.reports import headline, write_report
from benchmarks.search_latency import summary
from serving.search.service import SearchService
from storeloop.settings import Settings
from transactional.bootstrap import bootstrap

CARD = "4242424242424242"
KINDS = ("create", "update", "stock_out", "delete")


def follow_outbox(data_dir: str, interval_s: float, ready: Any, stop: Any) -> None:
    """The indexer consumer, as `make up` runs it: run_once in a loop."""
    from serving.search.indexer import SearchIndexer

    indexer = SearchIndexer(Settings(data_dir=Path(data_dir)))
    while not stop.is_set():
        indexer.run_once()
        ready.set()
        stop.wait(interval_s)


def found(service: SearchService, word: str, stock: str = "ignore") -> list[str]:
    response = service.search(word, limit=5, facets=False, stock=stock)
    return [row["product_id"] for row in response.results]


def time_until(check: Callable[[], bool], timeout_s: float = 10.0) -> float | None:
    started = time.perf_counter()
    while time.perf_counter() - started < timeout_s:
        if check():
            return time.perf_counter() - started
        time.sleep(0.002)
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ops", type=int, default=200)
    parser.add_argument("--indexer-interval-ms", type=float, default=50.0)
    parser.add_argument("--data-dir", type=Path, default=None)
    args = parser.parse_args()
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="search_freshness_"))
    settings = Settings(data_dir=data_dir)
    settings.ensure_dirs()
    store = bootstrap(settings)
    seller = store.users.register("Fresh Seller", "fresh-seller@example.com", role="seller")
    shopper = store.users.register("Fresh Shopper", "fresh-shopper@example.com")
    spawn = mp.get_context("spawn")
    ready, stop = spawn.Event(), spawn.Event()
    interval_s = args.indexer_interval_ms / 1000
    indexer = spawn.Process(target=follow_outbox, args=(str(data_dir), interval_s, ready, stop))
    indexer.start()
    ready.wait(timeout=120)  # the process's own start-up (imports) is not freshness
    service = SearchService(settings)
    lag: dict[str, list[float]] = {kind: [] for kind in KINDS}
    missed: list[str] = []
    live: list[tuple[str, str]] = []  # (product_id, its searchable word)
    deleted: list[tuple[str, str]] = []

    def create(n: int) -> tuple[str, Callable[[], bool]]:
        word = f"fresh{n:05d}"
        pid = store.catalog.create_product(
            seller, f"Kettle {word}", "steel", "Acme", "Kitchen", Decimal("20"), initial_stock=1
        )
        live.append((pid, word))
        return "create", lambda: pid in found(service, word)

    def change(n: int) -> tuple[str, Callable[[], bool]]:
        kind = KINDS[1 + n % 3]
        pid, word = live.pop(0)
        if kind == "update":
            word = f"renamed{n:05d}"
            store.catalog.update_product(pid, seller, title=f"Kettle {word}")
            live.append((pid, word))
            return kind, lambda: pid in found(service, word)
        if kind == "stock_out":
            store.cart.add_item(shopper, pid, 1)
            store.orders.checkout(shopper, CARD)  # sold out: not picked again
            return kind, lambda: pid not in found(service, word, stock="filter")
        store.catalog.delete_product(pid, seller)
        deleted.append((pid, word))
        return kind, lambda: pid not in found(service, word)

    try:
        found(service, "warm")
        for n in range(args.ops):
            kind, visible = create(n) if n % 2 == 0 or not live else change(n)
            took = time_until(visible)
            if took is None:
                missed.append(f"{kind}#{n}")
            else:
                lag[kind].append(took * 1000)
        time.sleep(1.0)  # whatever the indexer still had to do is done by now
        came_back = [pid for pid, word in deleted if pid in found(service, word)]
        reference = []
        for _ in range(200):
            started = time.perf_counter()
            found(service, "kettle")
            reference.append((time.perf_counter() - started) * 1000)
    finally:
        stop.set()
        indexer.join(timeout=30)
        store.close()
    every = [ms for values in lag.values() for ms in values]
    figures = {
        "machine": f"{platform.machine()} {os.cpu_count()} cores, {_cpu_model()}",
        "ops": args.ops,
        "indexer_interval_ms": args.indexer_interval_ms,
        "commit_to_visible_ms": summary(every),
        "by_kind_ms": {kind: summary(values) for kind, values in lag.items() if values},
        "missed_over_10s": missed,
        "deleted": len(deleted),
        "deleted_came_back": came_back,
        "reference_one_search_ms": summary(reference),
        "goal": "p99 <= 2000 ms; no deleted product comes back",
        "command": f"python -m benchmarks.search_freshness --ops {args.ops}",
    }
    figures["headline"] = headline(
        "search freshness p99, commit to visible", figures["commit_to_visible_ms"]["p99"],
        figures["reference_one_search_ms"]["p99"], reference_name="one search, p99", unit="ms",
        goal="p99 <= 2000 ms, no deleted product back",
        met=figures["commit_to_visible_ms"]["p99"] <= 2000 and not came_back and not missed,
    )  # fmt: skip
    print(json.dumps(figures, indent=2))
    write_report("search_freshness", figures)
    if args.data_dir is None:
        shutil.rmtree(data_dir, ignore_errors=True)
    if came_back or missed:
        sys.exit(1)


def _cpu_model() -> str:
    try:
        lines = Path("/proc/cpuinfo").read_text().splitlines()
        return next(line.split(":", 1)[1].strip() for line in lines if "model name" in line)
    except (OSError, StopIteration):
        return platform.processor() or "unknown CPU"


if __name__ == "__main__":
    main()
