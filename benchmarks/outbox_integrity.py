"""Nothing lost, nothing doubled: clients place orders over HTTP on PostgreSQL while the lake
writer follows the outbox; afterwards outbox = bronze (by event id, no duplicates) and the
silver tables hold what the events say (orders, order items, payments, cart adds).

The reference, measured in the same run: a reader as the consumers were before they waited for
open gaps (`position > checkpoint`, checkpoint = last position read), following the same outbox
at the same interval. Whatever it misses is what concurrent writers committing out of position
order cost a consumer that does not wait.

    .venv/bin/python -m benchmarks.outbox_integrity [--clients 32] [--seconds 60] [--workers 2]

The database URL defaults to STORE_TEST_DATABASE_URL (`source scripts/services.sh`); the run uses
its own schema (`bench_outbox`), dropped at the end unless --keep.
"""

from __future__ import annotations

import argparse
import ast
import asyncio
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from benchmarks.order_placement import (
    Phase,
    connections_per_worker,
    drop_schemas,
    gateway_cpu_s,
    in_schema,
    machine,
    run_phases,
    seed_catalog,
    start_gateway,
)
from benchmarks.reports import headline, rate_limits_record, refuse_rate_limited, write_report
from consumers.lake_writer import LakeWriter
from launch.lake_invariants import bronze_ids, outbox_facts
from storeloop.settings import REPO_ROOT, Settings

GOAL = "outbox rows = bronze rows = what silver holds: none lost, none doubled"
SCHEMA = "bench_outbox"


class Follower(threading.Thread):
    """Calls `step` every `interval_s` until stopped, then until a call finds nothing new."""

    def __init__(self, step, interval_s: float) -> None:  # type: ignore[no-untyped-def]
        super().__init__(daemon=True)
        self.step, self.interval_s = step, interval_s
        self.stop = threading.Event()
        self.rounds = 0
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            while not self.stop.is_set():
                self.step()
                self.rounds += 1
                self.stop.wait(self.interval_s)
        except BaseException as failed:  # reported by the main thread, not lost in this one
            self.error = failed


class NaiveReader:
    """The reference: what the feed did before it waited for gaps."""

    def __init__(self, url: str, batch: int = 10_000) -> None:
        self.engine = create_engine(url)
        self.batch = batch
        self.checkpoint = 0
        self.seen: set[str] = set()

    def step(self) -> None:
        with self.engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT position, event_id FROM outbox WHERE position > :after "
                    "ORDER BY position LIMIT :limit"
                ),
                {"after": self.checkpoint, "limit": self.batch},
            ).all()
        if rows:
            self.seen.update(row[1] for row in rows)
            self.checkpoint = rows[-1][0]


def submit_silver(data_dir: Path, master: str) -> dict[str, int]:
    """The silver job as a cluster runs it; Spark's own chatter stays in its log unless it fails."""
    submit = Path(sys.executable).with_name("spark-submit")
    env = {
        **os.environ,
        "PYSPARK_PYTHON": sys.executable,
        "PYSPARK_DRIVER_PYTHON": sys.executable,
        "SPARK_LOCAL_IP": "127.0.0.1",
    }
    command = [str(submit), "--master", master, str(REPO_ROOT / "spark_jobs" / "silver.py")]
    done = subprocess.run(
        [*command, "--data-dir", str(data_dir)], env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        sys.stderr.write(done.stderr[-4000:])
        raise SystemExit(f"the silver job failed (exit {done.returncode})")
    return ast.literal_eval(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("STORE_TEST_DATABASE_URL"))
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--products", type=int, default=200)
    parser.add_argument("--interval-s", type=float, default=0.05, help="consumers' poll interval")
    parser.add_argument("--port", type=int, default=8792)
    parser.add_argument("--spark-master", default="local[2]")
    parser.add_argument("--keep", action="store_true", help="keep the schema and data dir")
    args = parser.parse_args()
    if not args.database_url:
        parser.error("--database-url (or STORE_TEST_DATABASE_URL) is needed: a PostgreSQL URL")

    url = in_schema(args.database_url, SCHEMA)
    data_dir = Path(tempfile.mkdtemp(prefix="bench-outbox-"))
    settings = Settings(data_dir=data_dir, database_url=url)
    settings.ensure_dirs()
    print(f"seeding {args.products} products in schema {SCHEMA}", flush=True)
    uniform, _ = seed_catalog(url, data_dir, args.products, 10**6, 10)
    lake = Follower(LakeWriter(settings).run_once, args.interval_s)
    naive = NaiveReader(url)
    reference = Follower(naive.step, args.interval_s)
    server = start_gateway(url, data_dir, args.workers, args.port)
    rng = random.Random(7)
    phase = Phase("orders", args.seconds, lambda: rng.choice(uniform))
    print(
        f"{args.clients} clients place orders for {args.seconds:.0f} s through {args.workers}"
        " gateway workers; the lake writer and the reference reader follow the outbox",
        flush=True,
    )
    lake.start()
    reference.start()
    try:
        figures = asyncio.run(
            run_phases(
                f"http://127.0.0.1:{args.port}",
                args.clients,
                [phase],
                lambda: gateway_cpu_s(server),
                lambda: connections_per_worker(server, args.port),
            )
        )["orders"]
    finally:
        server.terminate()
        server.wait(timeout=30)
    refuse_rate_limited(figures["status_counts"], "outbox integrity, orders")
    for follower in (lake, reference):
        follower.stop.set()
        follower.join()
        if follower.error is not None:
            raise follower.error
    # Once the writers are gone: what is left to read, read by the real consumer.
    caught_up = LakeWriter(settings).run_once()
    naive.step()
    facts = outbox_facts(url)
    ids, bronze_types = bronze_ids(settings.lake_dir)
    print(f"silver: spark-submit to {args.spark_master}", flush=True)
    silver = submit_silver(data_dir, args.spark_master)
    outbox_ids = set(facts["ids"])
    result: dict[str, Any] = {
        "orders": figures,
        "outbox_rows": len(facts["ids"]),
        "bronze_rows": len(ids),
        "bronze_lost": len(outbox_ids - set(ids)),
        "bronze_lost_positions": sorted(facts["positions"][i] for i in outbox_ids - set(ids))[:20],
        "bronze_doubled": len(ids) - len(set(ids)),
        "bronze_types_match": bronze_types == facts["types"],
        "read_after_writers_stopped": caught_up,
        "silver": {table: silver[table] for table in facts["expected_silver"]},
        "silver_expected": facts["expected_silver"],
        "reference_without_gap_wait": {
            "seen": len(naive.seen),
            "lost": len(outbox_ids - naive.seen),
            "lost_positions": sorted(facts["positions"][i] for i in outbox_ids - naive.seen)[:20],
        },
        "event_types": dict(sorted(facts["types"].items())),
        "consumer_rounds": lake.rounds,
        "machine": machine(),
        "load_average_1m": round(os.getloadavg()[0], 2),
        "command": " ".join([".venv/bin/python -m benchmarks.outbox_integrity", *sys.argv[1:]]),
        "rate_limits": rate_limits_record(),
    }
    result["goal"] = GOAL
    result["goal_met"] = (
        result["bronze_lost"] == 0
        and result["bronze_doubled"] == 0
        and result["bronze_rows"] == result["outbox_rows"]
        and result["bronze_types_match"]
        and result["silver"] == result["silver_expected"]
    )
    result["headline"] = headline(
        "events lost by the lake writer (outbox vs bronze)", result["bronze_lost"],
        result["reference_without_gap_wait"]["lost"],
        reference_name="reader without the gap wait", unit="events", goal=GOAL,
        met=result["goal_met"],
    )  # fmt: skip
    write_report("outbox_integrity", result)  # the data dir of `make up`, not this run's scratch
    naive_lost = result["reference_without_gap_wait"]["lost"]
    print(
        f"orders: {figures['orders']} paid ({figures['orders_per_s']}/s), status"
        f" {figures['status_counts']}\n"
        f"outbox {result['outbox_rows']} rows = bronze {result['bronze_rows']}:"
        f" lost {result['bronze_lost']}, doubled {result['bronze_doubled']}"
        f" ({caught_up} read after the writers stopped)\n"
        f"silver {result['silver']} (from the events: {result['silver_expected']})\n"
        f"reference reader without the gap wait: lost {naive_lost} of {result['outbox_rows']}\n"
        f"machine {result['machine']}, load average {result['load_average_1m']}\n"
        f"goal ({GOAL}): {'met' if result['goal_met'] else 'NOT met'}"
    )
    if args.keep:
        print(f"kept: schema {SCHEMA}, data dir {data_dir}")
    else:
        drop_schemas(args.database_url, SCHEMA)
        shutil.rmtree(data_dir)
    if not result["goal_met"]:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
