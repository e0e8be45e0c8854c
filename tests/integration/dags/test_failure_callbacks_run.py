"""A real Airflow run of a DAG whose task fails: the same callbacks as store_loop's record which
task failed and why. In a child process, because Airflow reads its configuration (here a fresh
SQLite metadata DB) once, at its first import."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from launch.airflow_runner import airflow_env
from storeloop.dag_failures import read_failures
from storeloop.settings import REPO_ROOT

pytestmark = pytest.mark.airflow

FAILING_DAG = """
from datetime import datetime

from airflow.sdk import dag, task

from storeloop.dag_failures import record_run_failure, record_task_failure


@dag(
    dag_id="breaks_on_purpose",
    schedule=None,
    start_date=datetime(2026, 1, 1),
    default_args={"retries": 0, "on_failure_callback": record_task_failure},
    on_failure_callback=record_run_failure,
)
def breaks_on_purpose():
    @task
    def fine() -> int:
        return 1

    @task
    def check_orders(_: int) -> None:
        raise ValueError("orders: 3 rows without an order_id")

    check_orders(fine())


breaks_on_purpose()
"""
RUN_IT = """
import os

from airflow.dag_processing.dagbag import DagBag
from airflow.utils import db

db.initdb()
bag = DagBag(dag_folder=os.environ["AIRFLOW__CORE__DAGS_FOLDER"])
assert not bag.import_errors, bag.import_errors
print(bag.dags["breaks_on_purpose"].test().state)
"""


@pytest.mark.timeout(120)
def test_a_failing_task_in_a_real_run_is_recorded(settings, tmp_path):
    dags = tmp_path / "dags"
    dags.mkdir()
    (dags / "breaks_on_purpose.py").write_text(FAILING_DAG)
    env = {**os.environ, **airflow_env(settings), "AIRFLOW__CORE__DAGS_FOLDER": str(dags)}
    env["PYTHONPATH"] = str(REPO_ROOT)

    ran = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", RUN_IT], env=env, capture_output=True, text=True, timeout=110
    )

    assert ran.returncode == 0, ran.stderr[-3000:]
    assert ran.stdout.strip().endswith("failed")
    task, run = read_failures(settings)
    assert (task["kind"], task["task_id"], task["try_number"]) == ("task", "check_orders", 1)
    assert task["error_type"] == "ValueError"
    assert task["error"] == "orders: 3 rows without an order_id"
    assert (run["kind"], run["task_id"], run["error"]) == ("run", "check_orders", "task_failure")
    assert task["dag_id"] == run["dag_id"] == "breaks_on_purpose"
    assert task["run_id"] == run["run_id"]
