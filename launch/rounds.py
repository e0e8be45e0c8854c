"""One round of the loop: shoppers shop for some days, served by the champions of the moment;
the consumers catch up; the DAG trains challengers and gates them; serving follows the aliases
without a restart. A round's row says what served it and what its DAG decided."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from launch.airflow_runner import run_dag, run_on_scheduler
from launch.followers import Followers
from launch.steps import StepLog
from storeloop.settings import Settings

MODELS = ("search-ranker", "recommender")
CHALLENGER_KEY = "ranker_challenger"  # how serving's /models names the ranker under experiment
FOLLOW_TIMEOUT_S = 60.0


@dataclass
class Round:
    number: int
    first_day: int
    days: int
    shopping: dict[str, Any] = field(default_factory=dict)
    dag_state: str = "not run"
    dag_run_id: str | None = None
    dag_tasks: dict[str, Any] = field(default_factory=dict)
    decisions: dict[str, Any] = field(default_factory=dict)  # model -> the train task's result
    experiment: dict[str, Any] | None = None  # the ranker's interleaving, ended by this DAG
    ab_test: dict[str, Any] | None = None  # models arm against the control arm, these days
    champions_after: dict[str, str | None] = field(default_factory=dict)
    challenger_after: str | None = None  # the ranker interleaved with the champion next round
    serving_followed_s: float | None = None
    replicas: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "dag_tasks"} | {
            "dag_task_seconds": {k: t.get("seconds") for k, t in self.dag_tasks.items()},
            "dag_task_states": {k: t.get("state") for k, t in self.dag_tasks.items()},
            # Which try of each task succeeded or failed last, as Airflow counts them.
            "dag_task_tries": {k: t.get("try_number") for k, t in self.dag_tasks.items()},
        }


def champions(settings: Settings) -> dict[str, str | None]:
    """The registry's `champion` version per model (None: serving shows its baseline)."""
    from serving.champions import champion_version

    return {name: champion_version(settings, name) for name in MODELS}


def serving_state(serving_url: str, asks: int = 12) -> tuple[dict[str, set], set[str]]:
    """What the replicas serve: the versions each model answered with, and the replicas seen
    (several asks, so that every replica behind the proxy is likely to answer)."""
    versions: dict[str, set] = {name: set() for name in (*MODELS, CHALLENGER_KEY)}
    replicas: set[str] = set()
    with httpx.Client(base_url=serving_url, timeout=10.0) as client:
        for _ in range(asks):
            models = client.get("/models").json()
            for name in versions:
                versions[name].add(models.get(name))
            replicas.add(str(models.get("replica") or client.get("/health").json()["replica"]))
    return versions, replicas


def ranker_challenger(settings: Settings) -> str | None:
    """The ranker version under experiment (interleaved with the champion), if any."""
    from serving.champions import CHALLENGER, champion_version

    return champion_version(settings, "search-ranker", CHALLENGER)


def wait_for_serving(settings: Settings, serving_url: str) -> tuple[float, set[str]]:
    """Seconds until every replica asked serves the registry's champions and the ranker under
    experiment; raises after FOLLOW_TIMEOUT_S (serving kept the old models: a finding, not
    something to hide)."""
    wanted = champions(settings) | {CHALLENGER_KEY: ranker_challenger(settings)}
    started = time.monotonic()
    while True:
        versions, replicas = serving_state(serving_url)
        if all(versions[name] == {wanted[name]} for name in wanted):
            return time.monotonic() - started, replicas
        if time.monotonic() - started > FOLLOW_TIMEOUT_S:
            raise RuntimeError(f"serving still answers {versions}, the registry says {wanted}")
        time.sleep(0.5)


def ab_test(settings: Settings, first_day: int, days: int) -> dict[str, Any]:
    from datetime import timedelta

    from models.ab_test import measure
    from simulation.run import SIMULATION_START

    first = SIMULATION_START + timedelta(days=first_day)
    last = first + timedelta(days=days - 1)
    return measure(settings, first.date().isoformat(), last.date().isoformat()).as_dict()


def run_round(
    settings: Settings,
    log: StepLog,
    simulation: Any,
    followers: Followers,
    serving_url: str,
    number: int,
    first_day: int,
    days: int,
) -> Round:
    current = Round(number, first_day, days)
    label = f"round {number}"
    with log.step(f"{label}: shoppers shop days {first_day + 1}-{first_day + days}"):
        report = simulation.run_days(first_day, days, on_day_end=lambda *_: followers.catch_up())
        current.shopping = report.as_dict()
    with log.step(f"{label}: consumers catch up (lake, search index, fresh signals)"):
        followers.catch_up()
    if settings.airflow_url:
        with log.step(f"{label}: Airflow's scheduler runs store_loop (round_ended asset)"):
            dag = run_on_scheduler(settings, number)
    else:
        with log.step(f"{label}: Airflow DAG store_loop (dag.test)"):
            dag = run_dag(settings)
    current.dag_state, current.dag_run_id, current.dag_tasks = dag.state, dag.run_id, dag.tasks
    for task, model in (("train_ranker", "search-ranker"), ("train_recommender", "recommender")):
        result = dag.tasks.get(task, {})
        current.decisions[model] = result.get("result") or {"state": result.get("state")}
    current.experiment = current.decisions["search-ranker"].get("experiment")
    if dag.succeeded:  # silver holds these days: the A/B test reads them back
        current.ab_test = ab_test(settings, first_day, days)
    if not dag.succeeded:
        log.console.print(f"[bold red]{label}: the DAG failed; the champions stay as they were.[/]")
    with log.step(f"{label}: serving follows the champions (no restart)"):
        seconds, replicas = wait_for_serving(settings, serving_url)
        current.serving_followed_s = round(seconds, 1)
        current.replicas = sorted(replicas)
    current.champions_after = champions(settings)
    current.challenger_after = ranker_challenger(settings)
    return current
