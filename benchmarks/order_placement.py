"""Order placement over HTTP on PostgreSQL: 32 concurrent clients against a uvicorn gateway with N
workers, uniform SKUs and one hot SKU, with pgbench TPC-B measured in the same run as reference.

Each client registers and logs in once, then loops add-to-cart + checkout (Idempotency-Key).
Asserts zero oversell (stock >= 0, paid units <= initial stock), orders == OrderPlaced events and
no 5xx; prints the machine, the figures and a JSON summary. Uses its own schemas
(`bench_orders`, `bench_pgbench`) in the given database, so no test data is touched.

    .venv/bin/python -m benchmarks.order_placement --database-url postgresql+psycopg://... \
        [--workers 2] [--clients 32] [--warmup-seconds 3] [--seconds 10] [--products 500] \
        [--hot-stock 2000] [--pgbench-seconds 15 (0 skips)] [--count-orders 200] [--keep]

Besides the rates it reports what load on a shared machine cannot move: the gateway workers' CPU
per order (psutil, per phase), and, from an in-process run of --count-orders add+checkout pairs
on the same database, SQL statements, commits, connection checkouts and CPU ms per order.

Quick run: --clients 8 --seconds 3 --warmup-seconds 1 --hot-stock 200 --pgbench-seconds 0.
The database URL defaults to STORE_TEST_DATABASE_URL (`source scripts/services.sh`).
Profiling notes (where the time goes) are in the report of issue 3; the order path is bound by
database round trips, so a busy shared machine moves these figures a lot: rerun to compare.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import re
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import aiohttp
import httpx
import psutil
from sqlalchemy import create_engine, event, make_url, text

from benchmarks.reports import (
    GATEWAY_RATE_LIMITS,
    headline,
    rate_limits_record,
    refuse_rate_limited,
    write_report,
)
from contracts import events
from storeloop.heap import frozen_heap
from storeloop.settings import Settings
from transactional.bootstrap import bootstrap

PGBENCH = "/usr/lib/postgresql/15/bin/pgbench"
STOCK_LEVELS = "SELECT product_id, quantity FROM stock"
UNITS_HELD = (
    "SELECT i.product_id, SUM(i.quantity) FROM order_items i JOIN orders o"
    " ON o.order_id = i.order_id WHERE o.status <> 'cancelled' GROUP BY i.product_id"
)
CARD = "4242424242424242"
PASSWORD = "correct horse battery"
STAGGER_S = 0.03


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def machine() -> dict[str, object]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    return {"cores": os.cpu_count(), "cpu": cpu, "python": platform.python_version()}


def in_schema(url: str, schema: str) -> str:
    """The URL with its own search_path, after (re)creating that schema empty."""
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    engine.dispose()
    scoped = make_url(url).update_query_dict({"options": f"-csearch_path={schema}"})
    return scoped.render_as_string(hide_password=False)


def drop_schemas(url: str, *schemas: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        for schema in schemas:
            connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
    engine.dispose()


def seed_catalog(url: str, data_dir: Path, products: int, stock: int, hot_stock: int):
    store = bootstrap(Settings(data_dir=data_dir, database_url=url))
    seller = store.users.register("Bench Seller", "seller@bench.example", "seller")
    uniform = [
        store.catalog.create_product(
            seller, f"Item {n}", "", "Bench", "misc", Decimal("5.00"), initial_stock=stock
        )
        for n in range(products)
    ]
    hot = store.catalog.create_product(
        seller, "Hot item", "", "Bench", "misc", Decimal("9.99"), initial_stock=hot_stock
    )
    store.close()
    return uniform, hot


def count_order_path(url: str, data_dir: Path, product_ids: list[str], orders: int) -> dict:
    """Per add-to-cart + checkout through the store's service layer, warm: statements, commits,
    pool checkouts and this process's CPU ms (no HTTP; see server_cpu_ms_per_order for that)."""
    store = bootstrap(Settings(data_dir=data_dir, database_url=url))
    customer = store.users.register("Counted", f"count-{uuid.uuid4().hex[:8]}@bench.example")
    seen = Counter[str]()
    event.listen(store.engine, "before_cursor_execute", lambda *_: seen.update(["statements"]))
    event.listen(store.engine, "commit", lambda *_: seen.update(["commits"]))
    event.listen(store.engine.pool, "checkout", lambda *_: seen.update(["checkouts"]))

    def one(n: int) -> None:
        store.cart.add_item_and_view(customer, product_ids[n % len(product_ids)], 1)
        assert store.orders.checkout(customer, CARD, uuid.uuid4().hex).status == "paid"

    for n in range(20):  # warm: pool, prepared statements, compiled-statement cache
        one(n)
    seen.clear()
    started = time.process_time()
    for n in range(orders):
        one(n)
    cpu_ms = (time.process_time() - started) * 1000
    store.close()
    figures = {name: round(seen[name] / orders, 2) for name in ("statements", "commits")}
    figures["connection_checkouts"] = round(seen["checkouts"] / orders, 2)
    figures["cpu_ms"] = round(cpu_ms / orders, 2)
    return figures


def gateway_cpu_s(server: subprocess.Popen) -> float:
    """User + system CPU of the uvicorn supervisor and its workers so far."""
    parent = psutil.Process(server.pid)
    total = 0.0
    for process in [parent, *parent.children(recursive=True)]:
        try:
            times = process.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


def connections_per_worker(server: subprocess.Popen, port: int) -> list[int]:
    """Established client connections each uvicorn worker holds on `port`, most first."""
    held = []
    for worker in psutil.Process(server.pid).children():
        try:
            connections = worker.net_connections(kind="tcp")
        except psutil.NoSuchProcess:
            continue
        held.append(
            sum(c.status == psutil.CONN_ESTABLISHED and c.laddr.port == port for c in connections)
        )
    return sorted(held, reverse=True)


def start_gateway(
    url: str,
    data_dir: Path,
    workers: int,
    port: int,
    extra_env: dict[str, str] | None = None,
    log: Path | None = None,
) -> subprocess.Popen:
    """uvicorn with `workers` processes; its output to `log` when given."""
    env = {
        **os.environ,
        **(extra_env or {}),
        "STORE_DATABASE_URL": url,
        "STORE_DATA_DIR": str(data_dir),
        # The benchmark is one client address with 32 users: limits would measure themselves.
        **GATEWAY_RATE_LIMITS,
    }
    factory = "transactional.gateway.asgi:app_from_env"
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        factory,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--no-access-log",
        "--log-level",
        "warning",
        # Clients idle while the others log in (argon2): uvicorn's 5 s would close their
        # connections under them, and a POST on a closing connection fails.
        "--timeout-keep-alive",
        "300",
    ]
    output = open(log, "a") if log is not None else None  # noqa: SIM115 - the server's lifetime
    server = subprocess.Popen(command, env=env, stdout=output, stderr=output)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("the gateway did not start")


class Phase:
    """One measured phase: every client loops until the deadline (or, `until_sold_out`, until
    its checkout answers 409), then the next phase starts with the same logged-in clients."""

    def __init__(self, name: str, seconds: float | None, pick) -> None:  # type: ignore[no-untyped-def]
        self.name, self.seconds, self.pick = name, seconds, pick
        self.go = asyncio.Event()
        self.deadline = 0.0
        self.add_ms: list[float] = []
        self.checkout_ms: list[float] = []
        self.status: Counter[int] = Counter()
        self.paid = 0
        self.last_paid_at = 0.0

    def figures(
        self, started: float, ended: float, cpu_s: float, server_cpu_s: float
    ) -> dict[str, Any]:
        # Until sold out: rated over the time it took to sell, not the stragglers' 409s.
        elapsed = (self.last_paid_at if self.seconds is None else ended) - started
        return {
            "orders": self.paid,
            "seconds": round(elapsed, 2),
            "orders_per_s": round(self.paid / elapsed, 1),
            "checkout_p50_ms": round(percentile(self.checkout_ms, 0.5), 1),
            "checkout_p99_ms": round(percentile(self.checkout_ms, 0.99), 1),
            "add_to_cart_p50_ms": round(percentile(self.add_ms, 0.5), 1),
            "add_to_cart_p99_ms": round(percentile(self.add_ms, 0.99), 1),
            "status_counts": dict(sorted(self.status.items())),
            "client_cpu_s": round(cpu_s, 1),
            "server_cpu_ms_per_order": round(server_cpu_s * 1000 / max(self.paid, 1), 2),
            "load_average_1m": round(os.getloadavg()[0], 1),
        }


async def post(http: aiohttp.ClientSession, path: str, body: dict, headers=None) -> tuple[int, Any]:  # type: ignore[no-untyped-def]
    """(status, the JSON answer or None)."""
    async with http.post(path, json=body, headers=headers) as answer:
        json_body = await answer.json() if answer.content_type == "application/json" else None
        return answer.status, json_body


async def client(http: aiohttp.ClientSession, n: int, phases: list[Phase], ready) -> None:  # type: ignore[no-untyped-def]
    email = f"bench-{uuid.uuid4().hex[:12]}@bench.example"
    body = {"name": f"Client {n}", "email": email, "password": PASSWORD}
    await asyncio.sleep(n * STAGGER_S)
    assert (await post(http, "/api/auth/register", body))[0] == 201
    _, login = await post(http, "/api/auth/login", {"email": email, "password": PASSWORD})
    auth = {"Authorization": f"Bearer {login['access_token']}"}
    ready.release()
    for phase in phases:
        await phase.go.wait()  # argon2 logins and the previous phase are not measured
        while time.monotonic() < phase.deadline:
            started = time.perf_counter()
            added, _ = await post(http, "/api/cart/items", {"product_id": phase.pick()}, auth)
            phase.add_ms.append((time.perf_counter() - started) * 1000)
            phase.status[added] += 1
            headers = {**auth, "Idempotency-Key": uuid.uuid4().hex}
            started = time.perf_counter()
            placed, order = await post(http, "/api/orders", {"card_number": CARD}, headers)
            phase.checkout_ms.append((time.perf_counter() - started) * 1000)
            phase.status[placed] += 1
            if placed == 201 and order.get("status") == "paid":
                phase.paid += 1
                phase.last_paid_at = time.perf_counter()
            elif placed == 409:
                break  # the hot SKU is sold out: this client is done with the phase
        ready.release()


async def run_phases(
    base_url: str,
    clients: int,
    phases: list[Phase],
    server_cpu: Callable[[], float],
    connections: Callable[[], list[int]],
) -> dict[str, Any]:
    # aiohttp, not httpx: the client shares the two cores with the server it measures, and
    # httpx spent about 8 ms of CPU per request here, a third of the machine at full load.
    connector = aiohttp.TCPConnector(limit=clients)
    timeout = aiohttp.ClientTimeout(total=60)
    ready = asyncio.Semaphore(0)  # each client releases once logged in and after each phase
    figures: dict[str, Any] = {}
    async with aiohttp.ClientSession(base_url, connector=connector, timeout=timeout) as http:
        tasks = [asyncio.create_task(client(http, n, phases, ready)) for n in range(clients)]
        for _ in range(clients):
            await ready.acquire()  # every client has logged in
        figures["connections_per_worker"] = connections()
        with frozen_heap():
            for phase in phases:
                started, cpu_started = time.perf_counter(), time.process_time()
                server_started = server_cpu()
                phase.deadline = time.monotonic() + (phase.seconds or 600)  # 600 s: a stuck run
                phase.go.set()
                for _ in range(clients):
                    await ready.acquire()  # every client is done with this phase
                ended = time.perf_counter()
                figures[phase.name] = phase.figures(
                    started, ended, time.process_time() - cpu_started, server_cpu() - server_started
                )
        await asyncio.gather(*tasks)
    return figures


def check_no_oversell(url: str, initial: dict[str, int]) -> dict[str, int]:
    """Raises AssertionError on oversell or a missing OrderPlaced event."""
    engine = create_engine(url)
    with engine.connect() as connection:
        stock = {r[0]: r[1] for r in connection.execute(text(STOCK_LEVELS))}
        # Every order not cancelled holds its units (paid, or reserved until paid or expired).
        sold = {r[0]: r[1] for r in connection.execute(text(UNITS_HELD))}
        orders = connection.execute(text("SELECT COUNT(*) FROM orders")).scalar_one()
        placed = connection.execute(
            text("SELECT COUNT(*) FROM outbox WHERE type = :t"), {"t": events.ORDER_PLACED}
        ).scalar_one()
    engine.dispose()
    assert all(level >= 0 for level in stock.values()), "negative stock"
    oversold = {p: n for p, n in sold.items() if n > initial.get(p, 0)}
    assert not oversold, f"oversold: {oversold}"
    assert orders == placed, f"{orders} orders but {placed} OrderPlaced events"
    return {"orders": orders, "order_placed_events": placed, "units_sold": int(sum(sold.values()))}


def pgbench_tps(url: str, clients: int, seconds: int) -> float:
    """TPC-B by pgbench in its own schema of the same server, scale 1."""
    parts = make_url(in_schema(url, "bench_pgbench"))
    env = {
        **os.environ,
        "PGPASSWORD": parts.password or "",
        "PGOPTIONS": "-csearch_path=bench_pgbench",
    }
    target = [
        "-h",
        parts.host or "127.0.0.1",
        "-p",
        str(parts.port or 5432),
        "-U",
        parts.username or "postgres",
        parts.database or "postgres",
    ]
    subprocess.run(
        [PGBENCH, "-i", "-q", "-s", "1", *target], env=env, check=True, capture_output=True
    )
    done = subprocess.run(
        [PGBENCH, "-c", str(clients), "-j", "2", "-T", str(seconds), *target],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return float(re.search(r"tps = ([0-9.]+)", done.stdout).group(1))  # type: ignore[union-attr]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("STORE_TEST_DATABASE_URL"))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=10.0, help="uniform run length")
    parser.add_argument("--warmup-seconds", type=float, default=3.0)
    parser.add_argument("--products", type=int, default=500)
    parser.add_argument("--hot-stock", type=int, default=2000)
    parser.add_argument("--pgbench-seconds", type=int, default=15, help="0 skips pgbench")
    parser.add_argument("--port", type=int, default=8791)
    parser.add_argument("--count-orders", type=int, default=200, help="0 skips the counted run")
    parser.add_argument("--keep", action="store_true", help="keep the bench schemas to inspect")
    args = parser.parse_args()
    if not args.database_url:
        parser.error("--database-url (or STORE_TEST_DATABASE_URL) is needed: a PostgreSQL URL")
    url = in_schema(args.database_url, "bench_orders")
    data_dir = Path(tempfile.mkdtemp(prefix="bench-orders-"))
    uniform, hot = seed_catalog(url, data_dir, args.products, 10**6, args.hot_stock)
    initial = {p: 10**6 for p in uniform} | {hot: args.hot_stock}
    server = start_gateway(url, data_dir, args.workers, args.port)
    base_url = f"http://127.0.0.1:{args.port}"
    rng = random.Random(7)
    phases = [
        # Not reported: fills the workers' pools and psycopg's prepared statements.
        Phase("warmup", args.warmup_seconds, lambda: rng.choice(uniform)),
        Phase("uniform", args.seconds, lambda: rng.choice(uniform)),
        # Until sold out: the clients buy until each checkout answers out_of_stock.
        Phase("hot", None, lambda: hot),
    ]
    try:
        figures = asyncio.run(
            run_phases(
                base_url,
                args.clients,
                phases,
                lambda: gateway_cpu_s(server),
                lambda: connections_per_worker(server, args.port),
            )
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
    figures.pop("warmup")
    figures["checks"] = check_no_oversell(url, initial)
    assert not any(s >= 500 for r in ("uniform", "hot") for s in figures[r]["status_counts"])
    for name in ("uniform", "hot"):
        refuse_rate_limited(figures[name]["status_counts"], f"order placement, {name}")
    figures["rate_limits"] = rate_limits_record()
    hot_paid = figures["hot"]["orders"]
    assert hot_paid == args.hot_stock, f"hot SKU: {hot_paid} paid for {args.hot_stock} units"
    if args.count_orders:
        figures["per_order_counted"] = count_order_path(url, data_dir, uniform, args.count_orders)
    if args.pgbench_seconds:
        figures["pgbench_tpcb_tps"] = pgbench_tps(args.database_url, 32, args.pgbench_seconds)
    figures["machine"] = machine()
    figures["settings"] = vars(args) | {"database_url": "<given>"}
    shown = [re.sub(r"//[^@/]*@", "//***@", part) for part in sys.argv[1:]]  # no password
    figures["command"] = " ".join([".venv/bin/python -m benchmarks.order_placement", *shown])
    figures["goals_met"] = {
        "uniform": figures["uniform"]["orders_per_s"] >= 300
        and figures["uniform"]["checkout_p99_ms"] <= 100,
        "hot": figures["hot"]["orders_per_s"] >= 150,
    }
    for name in ("uniform", "hot"):
        run = figures[name]
        print(
            f"{name}: {run['orders_per_s']} orders/s, checkout p50 {run['checkout_p50_ms']} ms,"
            f" p99 {run['checkout_p99_ms']} ms ({run['orders']} orders in {run['seconds']} s)"
        )
    print(f"per order, counted in-process: {figures.get('per_order_counted')}")
    print(f"pgbench TPC-B (same server, same run): {figures.get('pgbench_tpcb_tps')} tps")
    print(f"machine: {figures['machine']}")
    figures["headline"] = headline(
        "order placement over HTTP, uniform SKUs", figures["uniform"]["orders_per_s"],
        figures.get("pgbench_tpcb_tps"), reference_name="pgbench TPC-B, same server",
        unit="/s", goal="300 orders/s, checkout p99 <= 100 ms", met=figures["goals_met"]["uniform"],
    )  # fmt: skip
    print(json.dumps(figures, indent=2))
    write_report("order_placement", figures)
    if not args.keep:
        drop_schemas(args.database_url, "bench_orders", "bench_pgbench")


if __name__ == "__main__":
    main()
