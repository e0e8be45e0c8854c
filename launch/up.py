"""`make up`: the whole loop on embedded defaults, then the APIs until Ctrl-C (--once exits).

Store and shoppers -> outbox -> consumers (bronze lake, search index) -> Airflow DAG (Spark,
quality, Feast, dbt, analytics export, training, promotion) -> Ray Serve and the gateway.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import threading
import time
from datetime import UTC, datetime

from launch.gateway_server import GatewayHandle, start_gateway
from launch.steps import StepLog
from storeloop.settings import Settings

SIMULATION_START = datetime(2026, 11, 1, tzinfo=UTC)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="make up", description=__doc__)
    parser.add_argument("--once", action="store_true", help="run the loop, check the APIs, exit")
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the previous data dir: no new simulation; consumers, DAG (challengers) and APIs",
    )
    parser.add_argument("--data-dir", help="where every embedded store lives (default ./var)")
    parser.add_argument("--products", type=int, help="simulated catalog size")
    parser.add_argument("--shoppers", type=int, help="simulated shoppers")
    parser.add_argument("--days", type=int, help="simulated days")
    return parser.parse_args(argv)


def export_overrides(args: argparse.Namespace) -> None:
    """Every part (DAG tasks too) builds Settings() from the environment: put overrides there."""
    overrides = {
        "STORE_DATA_DIR": args.data_dir,
        "STORE_SIM_PRODUCTS": args.products,
        "STORE_SIM_SHOPPERS": args.shoppers,
        "STORE_SIM_DAYS": args.days,
    }
    os.environ.update({k: str(v) for k, v in overrides.items() if v is not None})


def run_loop(settings: Settings, log: StepLog, fresh: bool = True) -> dict:
    """Run everything up to serving; returns the facts the summary prints."""
    from launch.airflow_runner import run_dag
    from launch.consumers import run_all
    from launch.search_client import InProcessSearch
    from transactional.bootstrap import bootstrap
    from transactional.common.clock import SimulatedClock
    from warehouse.analytics_receiver import start_receiver

    facts: dict = {}
    with log.step("prepare the data dir"):
        if fresh and settings.root.exists():
            shutil.rmtree(settings.root)
        settings.ensure_dirs()
    with log.step("start the sandbox analytics service"):
        receiver = start_receiver(settings)
        os.environ["STORE_ANALYTICS_URL"] = receiver.url
        settings = Settings()
        facts["receiver"] = receiver
    with log.step("open the store (SQLite) and the search index"):
        store = bootstrap(settings, clock=SimulatedClock(SIMULATION_START))
        search = InProcessSearch(settings)
    if store.catalog.list_products(limit=1).items:
        log.console.print("The store already has products (--keep): no new simulation.")
        facts["simulation"] = {}
    else:
        facts["simulation"] = _simulate(settings, store, search, log)
    with log.step("event consumers catch up (bronze lake, search index)"):
        facts["consumers"] = run_all(settings)
    with log.step("Airflow DAG store_loop (dag.test)"):
        facts["dag"] = run_dag(settings)
    if not facts["dag"].succeeded:
        log.console.print("[bold red]The DAG run failed; features and models stay as they were.[/]")
    return facts


def _simulate(settings: Settings, store, search, log: StepLog) -> dict:
    from launch.consumers import run_all
    from simulation.run import simulate

    with log.step(
        f"simulate {settings.sim_products} products, {settings.sim_shoppers} shoppers, "
        f"{settings.sim_days} days"
    ):

        def on_day_end(day_index: int, day) -> None:
            run_all(settings)  # the index follows stock day by day, as it would live
            search.refresh()

        def on_listed() -> None:
            run_all(settings)

        report = simulate(settings, store, search, on_day_end=on_day_end, on_listed=on_listed)
    return report.as_dict()


def serve(settings: Settings, log: StepLog) -> tuple[str, GatewayHandle]:
    from serving.run import start

    with log.step("start Ray Serve (search, recommendations)"):
        serving_url = start(settings)
    with log.step("start the store gateway"):
        gateway = start_gateway(settings)
    return serving_url, gateway


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    export_overrides(args)
    settings = Settings()
    log = StepLog()
    started = time.perf_counter()
    facts = run_loop(settings, log, fresh=not args.keep)
    settings = Settings()
    serving_url, gateway = serve(settings, log)

    from launch.report import print_summary, smoke_check_apis

    with log.step("check the APIs"):
        facts["api_check"] = smoke_check_apis(settings, gateway.url)
    facts["seconds"] = {**log.seconds, "total": round(time.perf_counter() - started, 1)}
    print_summary(settings, facts, gateway.url, serving_url, log.console)
    _write_figures(settings, facts)
    ready = {
        "gateway_url": gateway.url,
        "serving_url": serving_url,
        "dag_state": facts["dag"].state,
    }
    (settings.reports_dir / "up_ready.json").write_text(json.dumps(ready))
    if args.once:
        _shutdown(facts, gateway)
        return 0 if facts["dag"].succeeded else 1
    log.console.print("APIs are up; Ctrl-C stops them.")
    stop = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    keep_following(settings, stop)
    _shutdown(facts, gateway)
    return 0


def keep_following(settings: Settings, stop: threading.Event) -> None:
    """While the APIs are up: consumers follow the outbox (search stays fresh, the lake grows),
    and the money jobs expire stale reservations and settle open payments once a minute."""
    import sqlalchemy as sa

    from launch.consumers import run_all
    from transactional.bootstrap import bootstrap
    from transactional.common.outbox import outbox
    from transactional.orders.jobs import run_money_jobs

    store = bootstrap(settings)
    head_query = sa.select(sa.func.max(outbox.c.position))
    last_head, last_money_run = None, 0.0
    try:
        while not stop.wait(1.0):
            # One cheap read of the log's head; the consumers open their files only on news.
            with store.engine.connect() as connection:
                head = connection.execute(head_query).scalar()
            if head != last_head:
                run_all(settings)
                last_head = head
            if time.monotonic() - last_money_run >= 60:
                run_money_jobs(store)
                last_money_run = time.monotonic()
    finally:
        store.close()


def _write_figures(settings: Settings, facts: dict) -> None:
    figures = {
        "steps_seconds": facts["seconds"],
        "dag_task_seconds": {k: v["seconds"] for k, v in facts["dag"].tasks.items()},
    }
    (settings.reports_dir / "up_timings.json").write_text(json.dumps(figures, indent=2))


def _shutdown(facts: dict, gateway) -> None:
    from serving.run import stop

    gateway.stop()
    stop()
    facts["receiver"].stop()


if __name__ == "__main__":
    raise SystemExit(main())
