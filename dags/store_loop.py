"""The store loop as one Airflow DAG: wiring only; each task calls an entry function elsewhere.

Quality gates fail the run without retries (a bad table will not improve by retrying), so nothing
downstream (features, marts, models) is replaced and serving keeps the previous champion.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta

from airflow.sdk import Asset, dag, task

from storeloop.dag_failures import record_run_failure, record_task_failure

# The cluster profile's launcher marks the end of each round of shopping with an event on this
# asset (over Airflow's REST API), and the scheduler starts the run: one run per round, none in
# between. Embedded, `dag.test()` runs it and the schedule is the daily one a store would keep.
ROUND_ENDED = Asset(name="round_ended", uri="storeloop://rounds/ended")
SCHEDULE = ROUND_ENDED if os.environ.get("STORE_PROFILE") == "cluster" else "@daily"
# Each failed task, and each failed run, leaves a line in reports/dag_failures.jsonl saying which
# task and which error; storeloop.dag_failures counts them for ops/prometheus/alerts.yml.
DEFAULT_ARGS = {
    "owner": "data-platform",
    "retries": 2,
    "retry_delay": timedelta(seconds=5),
    "on_failure_callback": record_task_failure,
}


def _settings():
    from storeloop.settings import Settings

    return Settings()


def _gate(check):
    """Turn a failed quality gate into a task failure that Airflow will not retry."""
    from airflow.sdk.exceptions import AirflowFailException

    from quality.checks import QualityGateFailed

    try:
        return check(_settings())
    except QualityGateFailed as failure:
        raise AirflowFailException(str(failure)) from failure


def _train(train):
    """A round with no data after the champion's window skips training (nothing new to learn);
    an empty or corrupt window fails without retries, like a gate."""
    from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

    from models.errors import TrainingDataError

    try:
        return train(_settings())
    except TrainingDataError as error:
        if error.code == "empty_round":
            raise AirflowSkipException(str(error)) from error
        raise AirflowFailException(f"{error.code}: {error}") from error


@dag(
    dag_id="store_loop",
    schedule=SCHEDULE,
    start_date=datetime(2026, 11, 1),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    on_failure_callback=record_run_failure,
    tags=["store", "lake", "features", "models", "marts"],
    doc_md=__doc__,
)
def store_loop():
    @task
    def spark_silver() -> dict:
        from spark_jobs.silver import run_silver

        return run_silver(_settings())

    @task
    def check_silver() -> dict:
        from quality.checks import check_silver as check

        return _gate(check)

    @task
    def spark_gold() -> dict:
        from spark_jobs.gold import run_gold

        return run_gold(_settings())

    @task
    def check_gold() -> dict:
        from quality.checks import check_gold as check

        return _gate(check)

    @task
    def feast_materialize() -> dict:
        from features.store import apply, materialize

        settings = _settings()
        apply(settings)
        return materialize(settings)

    @task
    def dbt_build() -> dict:
        from warehouse.dbt_build import build_marts, generate_docs

        settings = _settings()
        built = build_marts(settings)
        return {**built, "docs": str(generate_docs(settings))}  # the analysts' catalog

    @task
    def analytics_export() -> dict:
        from warehouse.export import export_to_analytics

        return export_to_analytics(_settings())

    @task
    def train_ranker() -> dict:
        from models.ranker.train import train_ranker as train

        return _train(train)

    @task
    def train_recommender() -> dict:
        from models.recommender.train import train_recommender as train

        return _train(train)

    features = (
        spark_silver() >> check_silver() >> spark_gold() >> check_gold() >> feast_materialize()
    )
    marts = dbt_build()
    features >> marts >> analytics_export()
    features >> train_ranker()
    features >> train_recommender()


store_loop()
