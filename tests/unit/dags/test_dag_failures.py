"""The failure callbacks say which task failed and why, in a JSON line and in the metrics."""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace

import pytest
from prometheus_client import CollectorRegistry

from storeloop.dag_failures import (
    DagFailureCollector,
    failures_path,
    read_failures,
    record_run_failure,
    record_task_failure,
)
from storeloop.settings import Settings


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    # The callbacks build their Settings as a task does, from the environment.
    monkeypatch.setenv("STORE_DATA_DIR", str(tmp_path))
    return tmp_path


def task_context(task_id: str, error: BaseException | str, try_number: int = 3) -> dict:
    """The keys Airflow 3's task runner gives on_failure_callback (the template context of a
    RuntimeTaskInstance, plus the exception)."""
    ti = SimpleNamespace(
        dag_id="store_loop", run_id="manual__1", task_id=task_id, try_number=try_number
    )
    return {
        "dag": SimpleNamespace(dag_id="store_loop"),
        "dag_run": SimpleNamespace(dag_id="store_loop", run_id="manual__1"),
        "run_id": "manual__1",
        "task": SimpleNamespace(task_id=task_id),
        "ti": ti,
        "task_instance": ti,
        "exception": error,
    }


def test_a_failed_task_is_recorded_with_its_error(data_dir, caplog):
    record_task_failure(task_context("check_silver", ValueError("orders: 3 null order_id")))

    [failure] = read_failures(Settings(data_dir=data_dir))
    assert {k: v for k, v in failure.items() if k != "at"} == {
        "kind": "task",
        "dag_id": "store_loop",
        "run_id": "manual__1",
        "task_id": "check_silver",
        "try_number": 3,
        "error_type": "ValueError",
        "error": "orders: 3 null order_id",
    }
    assert datetime.fromisoformat(failure["at"]).utcoffset().total_seconds() == 0
    [line] = [r.getMessage() for r in caplog.records if r.name == "storeloop.dag_failures"]
    assert "check_silver" in line and "orders: 3 null order_id" in line


def test_a_task_killed_outside_its_process_has_a_message_not_an_exception(data_dir):
    record_task_failure(task_context("spark_gold", "Heartbeat timeout"))

    [failure] = read_failures(Settings(data_dir=data_dir))
    assert (failure["error_type"], failure["error"]) == (None, "Heartbeat timeout")


def test_a_failed_run_names_the_last_failed_task_and_the_reason(data_dir):
    # The DAG callback's context: the last failed task's, with a reason and no exception.
    context = task_context("train_ranker", "unused")
    del context["exception"]
    record_run_failure({**context, "reason": "task_failure"})

    [failure] = read_failures(Settings(data_dir=data_dir))
    assert failure["kind"] == "run"
    assert (failure["task_id"], failure["error"]) == ("train_ranker", "task_failure")


def test_a_run_without_a_task_still_names_the_dag(data_dir):
    record_run_failure({"dag": SimpleNamespace(dag_id="store_loop"), "run_id": "r", "reason": "x"})

    [failure] = read_failures(Settings(data_dir=data_dir))
    assert (failure["dag_id"], failure["run_id"], failure["task_id"]) == ("store_loop", "r", None)


def test_nothing_failed_reads_as_no_failures(tmp_path):
    assert read_failures(Settings(data_dir=tmp_path)) == []


def test_a_line_cut_short_by_a_crash_is_skipped(data_dir):
    record_task_failure(task_context("dbt_build", RuntimeError("boom")))
    with failures_path(Settings(data_dir=data_dir)).open("a") as handle:
        handle.write('{"at": "2026-')

    assert [f["task_id"] for f in read_failures(Settings(data_dir=data_dir))] == ["dbt_build"]


def test_the_collector_counts_task_failures_and_stamps_the_latest(data_dir):
    settings = Settings(data_dir=data_dir)
    registry = CollectorRegistry()
    registry.register(DagFailureCollector(settings))
    assert registry.get_sample_value("storeloop_dag_task_failures_total") is None

    record_task_failure(task_context("check_gold", ValueError("a")))
    record_task_failure(task_context("check_gold", ValueError("b")))
    record_run_failure({**task_context("check_gold", "unused"), "reason": "task_failure"})

    def sample(name: str, **labels: str) -> float | None:
        return registry.get_sample_value(name, {"dag_id": "store_loop", **labels})

    # The run's line moves the timestamp but is no task failure of its own.
    assert sample("storeloop_dag_task_failures_total", task_id="check_gold") == 2
    latest = max(datetime.fromisoformat(f["at"]).timestamp() for f in read_failures(settings))
    assert sample("storeloop_dag_last_failure_timestamp_seconds") == latest


def test_an_odd_line_does_not_fail_the_scrape(data_dir):
    settings = Settings(data_dir=data_dir)
    record_task_failure(task_context("spark_silver", RuntimeError("no bronze")))
    with failures_path(settings).open("a") as handle:
        handle.write('["not a record"]\n{"kind": "task", "dag_id": null}\n')
    registry = CollectorRegistry()
    registry.register(DagFailureCollector(settings))

    labels = {"dag_id": "store_loop", "task_id": "spark_silver"}
    assert registry.get_sample_value("storeloop_dag_task_failures_total", labels) == 1
