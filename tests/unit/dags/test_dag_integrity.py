"""Every DAG imports cleanly, is tagged, retries at least twice, and runs the loop in order."""

from __future__ import annotations

from pathlib import Path

import pytest

DAGS_DIR = Path(__file__).resolve().parents[3] / "dags"


@pytest.fixture(scope="module")
def dagbag():
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS_DIR))


def test_no_import_errors(dagbag):
    assert dagbag.import_errors == {}
    assert dagbag.dags, "no DAG found in dags/"


def test_every_dag_is_tagged_and_retries(dagbag):
    for dag_id, dag in dagbag.dags.items():
        assert dag.tags, f"{dag_id} has no tags"
        for task in dag.tasks:
            assert task.retries >= 2, f"{dag_id}.{task.task_id} retries {task.retries}"


def test_loop_order(dagbag):
    dag = dagbag.dags["store_loop"]
    upstream = {t.task_id: set(t.upstream_task_ids) for t in dag.tasks}
    assert upstream["check_silver"] == {"spark_silver"}
    assert upstream["spark_gold"] == {"check_silver"}
    assert upstream["feast_materialize"] == {"check_gold"}
    assert "feast_materialize" in upstream["train_ranker"]
    assert "feast_materialize" in upstream["train_recommender"]
    assert upstream["analytics_export"] == {"dbt_build"}


def test_every_failed_task_and_run_is_recorded(dagbag):
    from storeloop.dag_failures import record_run_failure, record_task_failure

    for dag_id, dag in dagbag.dags.items():
        assert dag.on_failure_callback == record_run_failure, dag_id
        for task in dag.tasks:
            assert record_task_failure in task.on_failure_callback, f"{dag_id}.{task.task_id}"
