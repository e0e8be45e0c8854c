"""Chaos: shoppers order and search over HTTP on PostgreSQL while their store's processes are
killed at random moments, several times each: the lake writer, the search indexer and the
query-log consumer (each its own process, restarted by the process manager this run plays), a
gateway worker (uvicorn starts another), a Ray Serve replica (Serve starts another) and
PostgreSQL itself (an immediate restart: a crash). Afterwards, with every consumer caught up:
outbox = bronze = silver, the search index equals the catalog, every capture has one paid order
and every paid order one capture, and the clients saw 503/429 or retried, never a 500 or a hang.

    .venv/bin/python -m benchmarks.chaos [--clients 32] [--seconds 150] [--faults 3] [--seed N]
        [--no-serve] [--reference-seconds 40] [--products 200] [--keep]

The reference, measured in the same run: the same clients for --reference-seconds before the
first fault. Figures: the time to recover from each fault (doing its job again, see
benchmarks/chaos_faults.py), throughput and checkout p99 under chaos against the reference.
Everything runs on a PostgreSQL server of the run's own (benchmarks/chaos_postgres.py).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
import uuid
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

from benchmarks.chaos_checks import after_chaos
from benchmarks.chaos_faults import (
    Fault,
    kill_consumer,
    kill_gateway_worker,
    kill_serve_replica,
    outbox_head,
    restart_postgres,
    serve_replicas_answer,
)
from benchmarks.chaos_postgres import ThrowawayPostgres
from benchmarks.chaos_processes import Supervised, python_module, wait_for
from benchmarks.chaos_shoppers import Tally, login, seller, shopper
from benchmarks.order_placement import PASSWORD, machine, start_gateway
from benchmarks.reports import headline, write_report
from consumers.checkpoint import FileCheckpoint
from launch.consumers import checkpoint_names
from launch.invariants import as_json
from storeloop.settings import Settings
from transactional.bootstrap import bootstrap
from transactional.orders.jobs import run_money_jobs
from transactional.orders.recovery import STALE_AFTER

GOAL = (
    "outbox = bronze = silver, index = catalog, one capture per paid order, no 500 or hang,"
    " every fault recovered"
)
FOLLOWED = ("lake_writer", "search_indexer", "query_log")
SELLER = "seller@chaos.example"


def seed(url: str, data_dir: Path, products: int) -> list[str]:
    store = bootstrap(Settings(data_dir=data_dir, database_url=url))
    seller_id = store.users.register("Chaos Seller", SELLER, "seller", PASSWORD)
    ids = [
        store.catalog.create_product(
            seller_id,
            f"Item {n} thing",
            "",
            "Bench",
            "misc",
            Decimal("5.00"),
            initial_stock=10**6,
        )  # fmt: skip
        for n in range(products)
    ]
    store.close()
    return ids


class Run:
    """The processes of one chaos run and the faults that can be done to them."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.postgres = ThrowawayPostgres(args.pg_port).start()
        self.url = self.postgres.url
        self.data_dir = Path(tempfile.mkdtemp(prefix="chaos-"))
        self.settings = Settings(data_dir=self.data_dir, database_url=self.url)
        self.settings.ensure_dirs()
        self.logs = self.data_dir / "logs"
        self.logs.mkdir()
        self.base_url = f"http://127.0.0.1:{args.port}"
        self.serving_url = f"http://127.0.0.1:{args.serving_port}"
        self.env = {
            **os.environ,
            "STORE_DATABASE_URL": self.url,
            "STORE_DATA_DIR": str(self.data_dir),
            "STORE_SERVING_PORT": str(args.serving_port),
            "STORE_SERVING_REPLICAS": "2",
        }
        self.consumers: dict[str, Supervised] = {}
        self.gateway: Any = None
        self.serving: Supervised | None = None

    def start(self, products: list[str]) -> None:
        for name in FOLLOWED:
            command = python_module("launch.follow", name, "--interval-s", "0.2")
            self.consumers[name] = Supervised(name, command, self.env, self.logs).start()
        self.wait_caught_up(120)  # the index exists before serving opens it
        if self.args.serve:
            print("starting Ray Serve (2 replicas)", flush=True)
            self.serving = Supervised(
                "serving", python_module("serving.run"), self.env, self.logs
            ).start()
            ready = wait_for(lambda: httpx.get(f"{self.serving_url}/health").status_code == 200,
                             300, every_s=1)  # fmt: skip
            if ready is None:
                raise SystemExit(f"Ray Serve did not start: see {self.logs / 'serving.log'}")
        serving = {"STORE_SERVING_PORT": self.env["STORE_SERVING_PORT"]}
        self.gateway = start_gateway(self.url, self.data_dir, self.args.workers, self.args.port,
                                     serving, self.logs / "gateway.log")  # fmt: skip
        self.products = products

    def faults(self, token: str) -> list[Fault]:
        names = checkpoint_names()
        faults = [
            Fault(name, lambda name=name: kill_consumer(  # type: ignore[misc]
                self.consumers[name], names[name], self.settings, self.url))
            for name in FOLLOWED
        ]  # fmt: skip
        gateway, workers = self.gateway.pid, self.args.workers
        faults.append(
            Fault("gateway_worker", lambda: kill_gateway_worker(gateway, workers, self.base_url))
        )
        faults.append(
            Fault("postgres", lambda: restart_postgres(self.postgres, self.base_url, token))
        )
        if self.serving is not None:
            replica = Fault(
                "serve_replica",
                lambda: kill_serve_replica(self.serving_url, 2),
                180,
                ready=serve_replicas_answer(self.serving_url, 2),
            )
            faults.append(replica)
        return faults

    def caught_up(self) -> bool:
        head, names = outbox_head(self.url), checkpoint_names()
        return all(
            FileCheckpoint(self.settings.checkpoint_dir, names[name]).position >= head
            for name in FOLLOWED
        )

    def wait_caught_up(self, timeout_s: float) -> float | None:
        return wait_for(self.caught_up, timeout_s, every_s=0.2)

    def stop(self) -> None:
        for process in [*self.consumers.values(), self.serving]:
            if process is not None:
                process.stop()
        if self.gateway is not None:
            self.gateway.terminate()
            self.gateway.wait(timeout=30)
        self.postgres.stop()


class Injector(threading.Thread):
    """Injects the scheduled faults one after another; each recovery is timed by its own thread
    so a slow one (a Serve replica) does not hold back the next fault."""

    def __init__(self, schedule: list[tuple[float, Fault]]) -> None:
        super().__init__(daemon=True)
        self.schedule = schedule
        self.results: list[dict[str, Any]] = []
        self.waiters: list[threading.Thread] = []

    def run(self) -> None:
        started = time.monotonic()
        for at_s, fault in self.schedule:
            time.sleep(max(0.0, started + at_s - time.monotonic()))
            result: dict[str, Any] = {
                "fault": fault.kind, "at_s": round(at_s, 1), "at": time.strftime("%H:%M:%S")
            }  # fmt: skip
            self.results.append(result)
            if fault.ready is not None:
                waited = wait_for(fault.ready, fault.timeout_s, every_s=0.2)
                if waited is None:
                    result.update(recovered_s=None, error="no live victim to inject it into")
                    continue
                result["waited_for_victim_s"] = round(waited, 2)
            injected = time.monotonic()
            try:
                recovered = fault.inject()
            except Exception as error:  # reported as a fault that never recovered
                result.update(recovered_s=None, error=repr(error))
                continue
            waiter = threading.Thread(
                target=self._time, args=(result, recovered, fault.timeout_s, injected), daemon=True
            )
            waiter.start()
            self.waiters.append(waiter)

    @staticmethod
    def _time(result: dict[str, Any], recovered, timeout_s: float, injected: float) -> None:  # type: ignore[no-untyped-def]
        took = wait_for(recovered, timeout_s, every_s=0.1)
        result["recovered_s"] = None if took is None else round(time.monotonic() - injected, 2)

    def finish(self) -> None:
        self.join()
        for waiter in self.waiters:
            waiter.join()


async def traffic(run: Run, seconds: float, rng: random.Random) -> Tally:
    tally = Tally()
    deadline = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=run.args.clients + 1)
    async with httpx.AsyncClient(base_url=run.base_url, limits=limits) as http:
        until = lambda: time.monotonic() > deadline  # noqa: E731
        tasks = [
            shopper(
                http, tally, lambda: rng.choice(run.products), run.serving is not None, until, rng
            )  # fmt: skip
            for _ in range(run.args.clients)
        ]
        tasks.append(seller(http, tally, SELLER, run.products, until, rng))
        await asyncio.gather(*tasks)
    return tally


def schedule_faults(faults: list[Fault], per_kind: int, seconds: float, rng: random.Random):  # type: ignore[no-untyped-def]
    """Each kind `per_kind` times at uniform random moments between 10% and 60% of the phase:
    a consumer's recovery is shown by reading what shoppers wrote after it died, so shoppers
    must still be shopping when the last one comes back."""
    moments = [
        (rng.uniform(0.1, 0.6) * seconds, fault) for fault in faults for _ in range(per_kind)
    ]
    return sorted(moments, key=lambda moment: moment[0])


def recovery_table(results: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    table: dict[str, dict[str, Any]] = {}
    for kind in dict.fromkeys(result["fault"] for result in results):
        times = [r["recovered_s"] for r in results if r["fault"] == kind]
        done = [t for t in times if t is not None]
        table[kind] = {
            "faults": len(times),
            "recovered": len(done),
            "median_s": round(statistics.median(done), 2) if done else None,
            "max_s": max(done) if done else None,
        }
    return table


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=150.0, help="the phase with faults")
    parser.add_argument("--reference-seconds", type=float, default=40.0)
    parser.add_argument("--faults", type=int, default=3, help="faults of each kind")
    parser.add_argument("--seed", type=int, default=None, help="a new one each run when absent")
    parser.add_argument("--products", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2, help="gateway workers")
    parser.add_argument(
        "--no-serve",
        dest="serve",
        action="store_false",
        help="no Ray Serve: shoppers open products instead of searching",
    )
    parser.add_argument("--port", type=int, default=8794)
    parser.add_argument("--serving-port", type=int, default=8795)
    parser.add_argument("--pg-port", type=int, default=55440)
    parser.add_argument("--spark-master", default="local[2]")
    parser.add_argument("--keep", action="store_true", help="keep the data dir (logs, lake)")
    args = parser.parse_args(argv)
    seed_value = args.seed if args.seed is not None else random.SystemRandom().randrange(10**6)
    rng = random.Random(seed_value)
    print(f"chaos seed {seed_value} (replay with --seed {seed_value})", flush=True)

    run = Run(args)
    try:
        print(f"seeding {args.products} products on PostgreSQL :{args.pg_port}", flush=True)
        run.start(seed(run.url, run.data_dir, args.products))
        print(f"reference: {args.clients} clients for {args.reference_seconds:.0f} s, no faults",
              flush=True)  # fmt: skip
        reference = asyncio.run(traffic(run, args.reference_seconds, rng))
        token = asyncio.run(_probe_token(run))
        faults = run.faults(token)
        schedule = schedule_faults(faults, args.faults, args.seconds, rng)
        print(f"chaos: {len(schedule)} faults ({', '.join(f.kind for f in faults)}, "
              f"{args.faults} each) in {args.seconds:.0f} s", flush=True)  # fmt: skip
        injector = Injector(schedule)
        injector.start()
        chaos = asyncio.run(traffic(run, args.seconds, rng))
        injector.finish()
        money = settle(run)
        print(f"money jobs, as their cron would run them: {money}", flush=True)
        print("waiting for every consumer to catch up", flush=True)
        caught_up_s = run.wait_caught_up(180)
        for process in run.consumers.values():
            process.stop()
        print(f"checking: lake (silver by spark-submit to {args.spark_master}), money, index",
              flush=True)  # fmt: skip
        checks = as_json(after_chaos(run.url, run.settings, args.spark_master))
        restarts = {name: process.restarts for name, process in run.consumers.items()}
    finally:
        run.stop()
    result = report(args, seed_value, reference, chaos, injector.results, checks, caught_up_s)
    result["consumer_restarts"] = restarts
    result["money_jobs"] = money
    print_report(result)
    result["headline"] = headline(
        "paid orders/s under chaos",
        result["chaos"]["paid_per_s"],
        result["reference"]["paid_per_s"],
        reference_name="the same shoppers without faults, same run",
        unit="/s",
        goal=GOAL,
        met=result["goal_met"],
    )
    write_report("chaos", result)  # the data dir of `make up`, not this run's scratch
    if args.keep:
        print(f"kept: {run.data_dir}")
    else:
        shutil.rmtree(run.data_dir, ignore_errors=True)
    return result


def settle(run: Run) -> dict[str, int]:
    """The money jobs once, as their cron would run them after the stale-after window: a checkout
    cut by a fault between the provider's capture and the store's commit is settled here."""
    store = bootstrap(run.settings)
    try:
        later = store.clock.now() + STALE_AFTER + timedelta(seconds=1)
        return run_money_jobs(store, later)
    finally:
        store.close()


async def _probe_token(run: Run) -> str:
    """A customer of the recovery probe: its order list is a database read through the gateway."""
    async with httpx.AsyncClient(base_url=run.base_url) as http:
        auth = await login(http, Tally(), f"probe-{uuid.uuid4().hex[:12]}@chaos.example", True)
    return auth["Authorization"].split()[1]


def report(args, seed_value, reference: Tally, chaos: Tally, faults, checks, caught_up_s):  # type: ignore[no-untyped-def]
    calm = reference.figures(args.reference_seconds)
    wild = chaos.figures(args.seconds)
    clients_ok = (
        wild["server_errors"] == 0 and wild["hangs"] == 0 and wild["gave_up"] == 0
        and calm["server_errors"] == 0
    )  # fmt: skip
    recoveries = recovery_table(faults)
    all_recovered = all(r["recovered"] == r["faults"] for r in recoveries.values())
    detail = f"500s {wild['server_errors']}, hangs {wild['hangs']}, refused {wild['gave_up']}"
    if wild["hangs"]:
        detail += f"; hung: {wild['hang_samples']}"
    checks = {**checks, "clients_saw_no_500_or_hang": {"ok": clients_ok, "detail": detail}}
    return {
        "goal": GOAL,
        "goal_met": all(c["ok"] for c in checks.values())
        and all_recovered
        and caught_up_s is not None,
        "seed": seed_value,
        "checks": checks,
        "recovery": recoveries,
        "faults": faults,
        "chaos": wild,
        "reference": calm,
        "throughput_ratio": round(wild["paid_per_s"] / max(calm["paid_per_s"], 1e-9), 2),
        "checkout_p99_ratio": round(
            wild["checkout_p99_ms"] / max(calm["checkout_p99_ms"], 1e-9), 2
        ),
        "caught_up_after_s": None if caught_up_s is None else round(caught_up_s, 1),
        "machine": machine(),
        "load_average_1m": round(os.getloadavg()[0], 2),
        "command": " ".join([".venv/bin/python -m benchmarks.chaos", *sys.argv[1:]]),
    }


def print_report(result: dict[str, Any]) -> None:
    print("time to recover (seconds from the fault until doing its job again):")
    for kind, row in result["recovery"].items():
        print(f"  {kind:<16} {row['recovered']}/{row['faults']} recovered,"
              f" median {row['median_s']}, max {row['max_s']}")  # fmt: skip
    for phase in ("reference", "chaos"):
        f = result[phase]
        print(f"{phase:<9} {f['paid_orders']} paid ({f['paid_per_s']}/s), checkout p50"
              f" {f['checkout_p50_ms']} ms p99 {f['checkout_p99_ms']} ms, statuses"
              f" {f['status_counts']}, retries {f['retries']}")  # fmt: skip
    print(f"under chaos: throughput {result['throughput_ratio']}x the reference, checkout p99"
          f" {result['checkout_p99_ratio']}x")  # fmt: skip
    for name, check in result["checks"].items():
        print(f"  {'ok  ' if check['ok'] else 'FAIL'} {name}: {check['detail']}")
    print(f"machine {result['machine']}, load average {result['load_average_1m']}")
    print(f"goal ({result['goal']}): {'met' if result['goal_met'] else 'NOT met'}")


if __name__ == "__main__":
    raise SystemExit(0 if main()["goal_met"] else 1)
