"""Which DAG task failed and why: Airflow's failure callbacks append one JSON line each under
reports/, and a Prometheus collector turns that file into metrics when it is scraped.

Airflow hands a callback its context as a mapping; nothing here imports Airflow, so the gateway
serves the metrics without loading it, and a test calls the callbacks with a plain dict.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

from storeloop.locks import file_lock
from storeloop.settings import Settings

FAILURES_FILE = "dag_failures.jsonl"
# A Spark or dbt error can carry a whole JVM stack or a compiled query; the task log keeps it all.
ERROR_CHARS = 2000
TASK, RUN = "task", "run"
log = logging.getLogger(__name__)


def failures_path(settings: Settings) -> Path:
    return settings.reports_dir / FAILURES_FILE


def record_task_failure(context: Mapping[str, Any]) -> None:
    """A task's on_failure_callback: its last try failed (a retried try calls on_retry instead)."""
    _append(Settings(), failure_record(TASK, context))


def record_run_failure(context: Mapping[str, Any]) -> None:
    """A DAG's on_failure_callback: the run failed. Its context has no exception, only a reason
    (`task_failure`, `timed_out`...) and, as `ti`, the task instance that failed last."""
    _append(Settings(), failure_record(RUN, context))


def failure_record(kind: str, context: Mapping[str, Any]) -> dict[str, Any]:
    ti = context.get("ti") or context.get("task_instance")
    dag_run, dag = context.get("dag_run"), context.get("dag")
    error = context.get("exception")
    if error is None and kind == RUN:
        error = context.get("reason")
    return {
        "at": datetime.now(UTC).isoformat(),
        "kind": kind,
        "dag_id": _first_attribute("dag_id", ti, dag_run, dag),
        "run_id": context.get("run_id") or _first_attribute("run_id", ti, dag_run),
        "task_id": getattr(ti, "task_id", None),
        "try_number": getattr(ti, "try_number", None),
        # Airflow passes a message instead of an exception when the task died outside its own
        # process (a heartbeat timeout, a killed worker).
        "error_type": type(error).__name__ if isinstance(error, BaseException) else None,
        "error": None if error is None else str(error)[:ERROR_CHARS],
    }


def _first_attribute(name: str, *holders: object) -> Any:
    return next((getattr(h, name) for h in holders if getattr(h, name, None) is not None), None)


def _append(settings: Settings, failure: dict[str, Any]) -> None:
    log.error("dag %s failed %s", failure["kind"], json.dumps(failure))
    path = failures_path(settings)
    # Parallel tasks of one run fail together; the lock keeps their lines whole.
    with file_lock(path.with_suffix(".lock")), path.open("a") as handle:
        handle.write(json.dumps(failure) + "\n")


def read_failures(settings: Settings) -> list[dict[str, Any]]:
    """Every failure recorded under this data dir, oldest first; none if nothing ever failed."""
    path = failures_path(settings)
    if not path.exists():
        return []
    failures = []
    for line in path.read_text().splitlines():
        try:
            failures.append(json.loads(line))
        except json.JSONDecodeError:
            continue  # a line cut short by a crash mid-write; the others still count
    return failures


class DagFailureCollector:
    """`storeloop_dag_task_failures_total{dag_id,task_id}` and
    `storeloop_dag_last_failure_timestamp_seconds{dag_id}`, read from the file at each scrape, so
    they are right in whichever process serves /metrics, however many processes record failures.
    Register it on a registry: `registry.register(DagFailureCollector(settings))`."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def describe(self) -> Iterator[Metric]:
        # Names only, for the registry's duplicate check: registering reads no file.
        yield from _families()

    def collect(self) -> Iterator[Metric]:
        # One odd line must not fail the scrape of the whole /metrics it is registered on.
        failures = [f for f in read_failures(self.settings) if _countable(f)]
        task_failures, last_failure = _families()
        per_task = Counter((f["dag_id"], f["task_id"]) for f in failures if f["kind"] == TASK)
        for (dag_id, task_id), count in sorted(per_task.items()):
            task_failures.add_metric([dag_id, task_id], count)
        latest: dict[str, float] = {}
        for failure in failures:
            at = datetime.fromisoformat(failure["at"]).timestamp()
            latest[failure["dag_id"]] = max(at, latest.get(failure["dag_id"], at))
        for dag_id, at in sorted(latest.items()):
            last_failure.add_metric([dag_id], at)
        yield task_failures
        yield last_failure


def _countable(failure: Any) -> bool:
    return (
        isinstance(failure, dict)
        and isinstance(failure.get("dag_id"), str)
        and isinstance(failure.get("at"), str)
        and (failure.get("kind") != TASK or isinstance(failure.get("task_id"), str))
    )


def _families() -> tuple[CounterMetricFamily, GaugeMetricFamily]:
    return (
        CounterMetricFamily(
            "storeloop_dag_task_failures",
            "DAG tasks whose last try failed, by DAG and task",
            labels=["dag_id", "task_id"],
        ),
        GaugeMetricFamily(
            "storeloop_dag_last_failure_timestamp_seconds",
            "Unix time of the latest failed task or run, by DAG",
            labels=["dag_id"],
        ),
    )
