"""`make up`: the whole loop on embedded defaults in rounds, then the APIs until Ctrl-C.

The store is listed and serving starts first (round 1 is served by index order and popularity);
then each round: shoppers shop through serving's HTTP API -> outbox -> consumers (lake, search
index, fresh signals in Feast) -> Airflow DAG (Spark, quality, Feast, dbt, analytics export,
training, gated promotion) -> serving follows the new champions without a restart.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import threading
import time
import warnings
from typing import Any

from sqlalchemy import make_url

from launch.cluster import ClusterError, GatewayProcesses, refuse_development_secrets
from launch.gateway_server import GatewayHandle, start_gateway
from launch.steps import StepLog
from storeloop.settings import Settings

DEFAULT_CONTROL_SHARE = 0.5  # the most power for a two-arm test of a given size
DEFAULT_EXPLORE_SHARE = 0.1  # a little randomisation: one swap in a tenth of first pages


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="make up", description=__doc__)
    parser.add_argument("--once", action="store_true", help="run the rounds, check the APIs, exit")
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the previous data dir and its store: further rounds continue after its last day",
    )
    parser.add_argument("--data-dir", help="where every embedded store lives (default ./var)")
    parser.add_argument("--products", type=int, help="simulated catalog size")
    parser.add_argument("--shoppers", type=int, help="simulated shoppers")
    parser.add_argument("--rounds", type=int, help="rounds of shopping, training and promotion")
    parser.add_argument("--days", type=int, help="simulated days per round")
    parser.add_argument(
        "--control-share",
        type=float,
        help=f"shoppers in the A/B test's control arm, served without models "
        f"(default {DEFAULT_CONTROL_SHARE}; 0: no test)",
    )
    parser.add_argument(
        "--explore-share",
        type=float,
        help=f"first pages shown with one random adjacent swap, to measure position bias "
        f"(default {DEFAULT_EXPLORE_SHARE}; 0: none)",
    )
    return parser.parse_args(argv)


def export_overrides(args: argparse.Namespace) -> None:
    """Every part (DAG tasks too) builds Settings() from the environment: put overrides there."""
    overrides = {
        "STORE_DATA_DIR": args.data_dir,
        "STORE_SIM_PRODUCTS": args.products,
        "STORE_SIM_SHOPPERS": args.shoppers,
        "STORE_SIM_ROUNDS": args.rounds,
        "STORE_SIM_DAYS": args.days,
        "STORE_CONTROL_SHARE": args.control_share,
        "STORE_EXPLORE_SHARE": args.explore_share,
    }
    os.environ.update({k: str(v) for k, v in overrides.items() if v is not None})
    # The loop measures what the models are worth: a control arm unless told otherwise.
    os.environ.setdefault("STORE_CONTROL_SHARE", str(DEFAULT_CONTROL_SHARE))
    os.environ.setdefault("STORE_EXPLORE_SHARE", str(DEFAULT_EXPLORE_SHARE))


class Loop:
    """Everything `make up` starts, so that one place stops it."""

    def __init__(self, settings: Settings, log: StepLog) -> None:
        self.settings, self.log = settings, log
        self.facts: dict[str, Any] = {"rounds": []}
        self.receiver: Any = None
        self.gateway: GatewayHandle | GatewayProcesses | None = None
        self.serving_url = ""
        self.followers: Any = None
        self.store: Any = None
        self.serving_client: Any = None

    def open(self, fresh: bool) -> Any:
        """Data dir, sandbox analytics, the store with its catalog and shoppers, the search
        index, serving and the gateway; returns the simulation to run rounds with."""
        from launch.followers import Followers
        from simulation.http_serving import HttpServingClient
        from simulation.run import SIMULATION_START, Simulation
        from transactional.bootstrap import bootstrap
        from transactional.common.clock import SimulatedClock
        from warehouse.analytics_receiver import start_receiver

        settings, log = self.settings, self.log
        with log.step("prepare the data dir"):
            if fresh and settings.root.exists():
                shutil.rmtree(settings.root)
            settings.ensure_dirs()
        with log.step("start the sandbox analytics service"):
            self.receiver = start_receiver(settings)
            os.environ["STORE_ANALYTICS_URL"] = self.receiver.url
            self.settings = settings = Settings()
        self.followers = Followers(settings)
        engine = make_url(settings.db_url).get_backend_name()
        with log.step(f"open the store ({engine}, {settings.profile} profile)"):
            self.store = bootstrap(settings, clock=SimulatedClock(SIMULATION_START))
            self.serving_client = HttpServingClient(settings.serving_url)
            simulation = Simulation(settings, self.store, self.serving_client)
        if self.store.catalog.list_products(limit=1).items:
            log.console.print("The store already has its catalog and shoppers (--keep).")
            simulation.reopen_store(self._days_done())
        else:
            with log.step(
                f"sellers list {settings.sim_products} SKUs (products and variants), "
                f"{settings.sim_shoppers} shoppers sign up"
            ):
                simulation.open_store()
        with log.step("event consumers catch up (bronze lake, search index, fresh signals)"):
            self.facts["consumers"] = self.followers.catch_up()
        self.followers.start()
        self.serve()
        return simulation

    def serve(self) -> None:
        if self.settings.profile == "cluster":
            from launch.cluster import deploy_serving, gateway_workers, start_gateway_processes

            with self.log.step("serve deploy serving/serve_config.yaml to the Ray cluster"):
                self.serving_url = deploy_serving(self.settings)
            workers = gateway_workers(self.settings)
            with self.log.step(f"start the store gateway ({workers} uvicorn workers)"):
                log_path = self.settings.reports_dir / "gateway.log"
                self.gateway = start_gateway_processes(self.settings, log_path)
            return
        from serving.run import start

        with self.log.step("start Ray Serve (search, recommendations)"):
            self.serving_url = start(self.settings)
        with self.log.step("start the store gateway"):
            self.gateway = start_gateway(self.settings)

    def run_rounds(self, simulation: Any) -> None:
        from launch.rounds import run_round

        first_day = simulation.next_day
        for number in range(1, self.settings.sim_rounds + 1):
            done = run_round(
                self.settings, self.log, simulation, self.followers, self.serving_url,
                number=len(self.facts["rounds"]) + 1,
                first_day=first_day + (number - 1) * self.settings.sim_days,
                days=self.settings.sim_days,
            )  # fmt: skip
            self.facts["rounds"].append(done.as_dict())
            self._write_rounds()

    def _days_done(self) -> int:
        """Days simulated by earlier runs on this data dir (--keep continues after them)."""
        path = self.settings.reports_dir / "rounds.json"
        if not path.exists():
            return 0
        earlier = json.loads(path.read_text())
        self.facts["rounds"] = earlier
        return max((r["first_day"] + r["days"] for r in earlier), default=0)

    def _write_rounds(self) -> None:
        path = self.settings.reports_dir / "rounds.json"
        path.write_text(json.dumps(self.facts["rounds"], indent=2, default=str))

    def close(self) -> None:
        from serving.run import stop

        if self.serving_client is not None:
            self.serving_client.close()
        if self.followers is not None:
            self.followers.stop()
        if self.gateway is not None:
            self.gateway.stop()
        stop()
        if self.receiver is not None:
            self.receiver.stop()
        if self.store is not None:
            self.store.close()


def main(argv: list[str] | None = None) -> int:
    # Deprecations inside the libraries (Ray, Great Expectations) are theirs to act on, not the
    # reader's; the environment carries the filter to Ray's and Spark's Python workers too.
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    os.environ.setdefault("PYTHONWARNINGS", "ignore::DeprecationWarning")
    args = parse_args(argv)
    export_overrides(args)
    log = StepLog()
    started = time.perf_counter()
    settings = Settings()
    loop = Loop(settings, log)
    try:
        if settings.profile == "cluster":
            refuse_development_secrets(settings)
        simulation = loop.open(fresh=not args.keep)
        loop.run_rounds(simulation)
        return finish(loop, args, started)
    except ClusterError as error:  # a part of the cluster is missing: one line, no traceback
        log.console.print(f"[bold red]!![/] {error}")
        return 1
    finally:
        loop.close()


def finish(loop: Loop, args: argparse.Namespace, started: float) -> int:
    from launch.report import print_summary, smoke_check_apis

    settings, log, facts = loop.settings, loop.log, loop.facts
    assert loop.gateway is not None
    with log.step("check the APIs"):
        facts["api_check"] = smoke_check_apis(settings, loop.gateway.url)
    facts["seconds"] = {**log.seconds, "total": round(time.perf_counter() - started, 1)}
    print_summary(settings, facts, loop.gateway.url, loop.serving_url, log.console)
    (settings.reports_dir / "up_timings.json").write_text(
        json.dumps({"steps_seconds": facts["seconds"]}, indent=2)
    )
    rounds_ok = all(r["dag_state"] == "success" for r in facts["rounds"])
    ready = {
        "gateway_url": loop.gateway.url,
        "serving_url": loop.serving_url,
        "dag_state": "success" if rounds_ok else "failed",
        "rounds": len(facts["rounds"]),
    }
    (settings.reports_dir / "up_ready.json").write_text(json.dumps(ready))
    if args.once:
        return 0 if rounds_ok else 1
    log.console.print("APIs are up; Ctrl-C stops them.")
    stop = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    from transactional.bootstrap import bootstrap
    from transactional.orders.jobs import run_money_jobs

    store = bootstrap(settings)  # the real clock: reservations expire in real minutes now
    try:
        loop.followers.follow_everything(stop, lambda: run_money_jobs(store))
    finally:
        store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
