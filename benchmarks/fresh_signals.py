"""Fresh signals: time from a shopper's committed activity to its visibility in Feast online.

A writer commits cart adds and search clicks through the transactional service layer at a steady
rate (open loop: it never waits for visibility); the real ShopperActivityConsumer follows the
outbox in its own process and pushes to Feast's online store; a poller reads the online rows and
times each commit until the shopper's row has folded it in (its log_position reaches the event's).
Reference, same run: the raw Feast round trip the consumer pays (one push, then one online read).

    .venv/bin/python -m benchmarks.fresh_signals [--ops 300] [--rate 10] [--interval-ms 100]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import shutil
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from benchmarks.reports import headline, write_report
from benchmarks.search_freshness import _cpu_model
from benchmarks.search_latency import summary
from features.activity import ShopperActivity
from features.activity_online import online_states, push_states
from features.store import apply
from storeloop.settings import Settings
from transactional.bootstrap import bootstrap

GOAL = "p99 <= 1000 ms from commit to online"


def follow_outbox(data_dir: str, interval_s: float, ready: Any, stop: Any) -> None:
    """The consumer as a deployment runs it: its own process, `follow` until stopped."""
    from consumers.shopper_activity import ShopperActivityConsumer

    consumer = ShopperActivityConsumer(Settings(data_dir=Path(data_dir)))
    consumer.warm_up()  # start-up (imports, the Feast store) is not freshness
    consumer.run_once()
    ready.set()
    stopping = threading.Event()

    def relay() -> None:  # follow takes a thread event; the parent holds a process one
        stop.wait()
        stopping.set()

    threading.Thread(target=relay, daemon=True).start()
    consumer.follow(stopping, interval_s)


@dataclass
class Commit:
    shopper: str
    position: int
    at: float  # perf_counter when the service call returned
    kind: str
    visible_after: float | None = None


class Poller:
    """Reads the online rows of shoppers with commits not yet visible, in one call each round."""

    def __init__(self, store: Any) -> None:
        self.store = store
        self.pending: list[Commit] = []
        self.done: list[Commit] = []
        self.lock = threading.Lock()
        self.stop = threading.Event()

    def add(self, commit: Commit) -> None:
        with self.lock:
            self.pending.append(commit)

    def run(self) -> None:
        while not self.stop.is_set():
            with self.lock:
                waiting = list(self.pending)
            if waiting:
                states = online_states(self.store, {c.shopper for c in waiting})
                now = time.perf_counter()
                seen = [c for c in waiting if _folded(states.get(c.shopper), c.position)]
                for commit in seen:
                    commit.visible_after = now - commit.at
                with self.lock:
                    self.pending = [c for c in self.pending if c not in seen]
                    self.done += seen
            time.sleep(0.002)


def _folded(state: ShopperActivity | None, position: int) -> bool:
    return state is not None and state.log_position >= position


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ops", type=int, default=300)
    parser.add_argument("--rate", type=float, default=10.0, help="commits per second")
    parser.add_argument("--shoppers", type=int, default=20)
    parser.add_argument(
        "--interval-ms", type=float, default=100.0, help="consumer poll interval (make up: 100)"
    )
    parser.add_argument("--data-dir", type=Path, default=None)
    args = parser.parse_args()
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="fresh_signals_"))
    settings = Settings(data_dir=data_dir)
    settings.ensure_dirs()
    shop = bootstrap(settings)
    seller = shop.users.register("Fresh Seller", "fresh-seller@example.com", role="seller")
    shoppers = [
        shop.users.register(f"Shopper {n}", f"shopper{n}@example.com") for n in range(args.shoppers)
    ]
    products = [
        shop.catalog.create_product(
            seller, f"Kettle {n}", "steel", "Acme", "Kitchen", Decimal("20"), initial_stock=10**6
        )
        for n in range(60)
    ]
    feast = apply(settings)
    spawn = mp.get_context("spawn")
    ready, stop = spawn.Event(), spawn.Event()
    consumer = spawn.Process(
        target=follow_outbox, args=(str(data_dir), args.interval_ms / 1000, ready, stop)
    )
    consumer.start()
    ready.wait(timeout=300)
    engine = sa.create_engine(settings.db_url)
    head = sa.text("SELECT MAX(position) FROM outbox")
    online_states(feast, ["warm-up"])  # the reader's first online read opens its store
    poller = Poller(feast)
    polling = threading.Thread(target=poller.run)
    polling.start()
    period = 1.0 / args.rate
    started = time.perf_counter()
    try:
        for n in range(args.ops):
            time.sleep(max(0.0, started + n * period - time.perf_counter()))
            shopper, product = shoppers[n % len(shoppers)], products[n % len(products)]
            if n % 2 == 0:
                shop.cart.add_item(shopper, product, 1)
                kind = "cart_add"
            else:
                shown = [{"product_id": product, "position": 1, "score": 1.0}]
                search = shop.storefront.record_search("sess", shopper, "kettle", shown, "index")
                shop.storefront.record_click(search, "sess", shopper, product, 1)
                kind = "search_click"
            at = time.perf_counter()
            with engine.connect() as connection:  # the writer is alone: the head is its event
                position = int(connection.execute(head).scalar_one())
            poller.add(Commit(shopper, position, at, kind))
        deadline = time.perf_counter() + 10.0
        while poller.pending and time.perf_counter() < deadline:
            time.sleep(0.05)
        writing_s = time.perf_counter() - started
        load = os.getloadavg()
    finally:
        poller.stop.set()
        polling.join(timeout=30)
        stop.set()
        consumer.join(timeout=60)
        shop.close()
        engine.dispose()
    reference = _round_trips(feast, 100)
    lags = [c.visible_after * 1000 for c in poller.done if c.visible_after is not None]
    figures = {
        "machine": f"{os.uname().machine} {os.cpu_count()} cores, {_cpu_model()}",
        "load_average_1_5_15": [round(x, 2) for x in load],
        "ops": args.ops,
        "rate_per_s": args.rate,
        "achieved_rate_per_s": round(args.ops / writing_s, 2),
        "consumer_interval_ms": args.interval_ms,
        "commit_to_online_ms": {**summary(lags), "max": round(max(lags, default=0.0), 3)},
        "over_1s": sum(1 for lag in lags if lag > 1000),
        "by_kind_ms": {
            kind: summary(
                [
                    c.visible_after * 1000
                    for c in poller.done
                    if c.kind == kind and c.visible_after is not None
                ]
            )
            for kind in ("cart_add", "search_click")
        },  # fmt: skip
        "never_visible_after_10s": len(poller.pending),
        "reference_feast_push_then_read_ms": summary(reference),
        "goal": GOAL,
        "command": (
            f"python -m benchmarks.fresh_signals --ops {args.ops} --rate {args.rate} "
            f"--shoppers {args.shoppers} --interval-ms {args.interval_ms}"
        ),
    }
    p99 = figures["commit_to_online_ms"]["p99"]
    figures["headline"] = headline(
        "fresh signals p99, commit to Feast online", p99,
        figures["reference_feast_push_then_read_ms"]["p99"],
        reference_name="raw Feast push + read, p99", unit="ms", goal=GOAL,
        met=p99 <= 1000 and not poller.pending,
    )  # fmt: skip
    print(json.dumps(figures, indent=2))
    write_report("fresh_signals", figures)
    if args.data_dir is None:
        shutil.rmtree(data_dir, ignore_errors=True)
    if poller.pending:
        sys.exit(1)


def _round_trips(store: Any, times: int) -> list[float]:
    """The raw Feast cost of one fresh signal: push a row, read it back."""
    took = []
    for n in range(times):
        state = ShopperActivity("reference", (f"p-{n}",), (), (), (), n + 1, datetime.now(UTC))
        begun = time.perf_counter()
        push_states(store, [state])
        assert online_states(store, ["reference"])["reference"].log_position == n + 1
        took.append((time.perf_counter() - begun) * 1000)
    return took


if __name__ == "__main__":
    main()
