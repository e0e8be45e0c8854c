"""Runs the store_loop DAG in-process with `dag.test()` on a SQLite metadata DB under the data dir.

Airflow reads its configuration from the environment when it is first imported, so `configure`
must run before anything imports airflow.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from storeloop.settings import REPO_ROOT, Settings

DAG_ID = "store_loop"


@dataclass
class DagRunResult:
    state: str
    run_id: str
    tasks: dict[str, dict] = field(default_factory=dict)  # task_id -> state, seconds, result

    @property
    def succeeded(self) -> bool:
        return self.state == "success"


def airflow_env(settings: Settings) -> dict[str, str]:
    home = settings.root / "airflow"
    return {
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(REPO_ROOT / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "WARNING",
        "STORE_DATA_DIR": str(settings.root),
    }


def configure(settings: Settings) -> None:
    """Point Airflow at the data dir and migrate its metadata DB (idempotent)."""
    env = airflow_env(settings)
    Path(env["AIRFLOW_HOME"]).mkdir(parents=True, exist_ok=True)
    os.environ.update(env)
    if "airflow" in sys.modules:
        return
    airflow_cli = Path(sys.executable).with_name("airflow")
    subprocess.run(
        [str(airflow_cli), "db", "migrate"],
        check=True,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def run_dag(settings: Settings) -> DagRunResult:
    """Load dags/ as the scheduler would and run one store_loop run to the end."""
    configure(settings)
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(REPO_ROOT / "dags"))
    if bag.import_errors:
        raise RuntimeError(f"DAG import errors: {bag.import_errors}")
    dag_run = bag.dags[DAG_ID].test()
    return _collect(dag_run)


def _collect(dag_run) -> DagRunResult:
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session

    result = DagRunResult(state=_name(dag_run.state), run_id=dag_run.run_id)
    with create_session() as session:
        for ti in dag_run.get_task_instances(session=session):
            seconds = (ti.end_date - ti.start_date).total_seconds() if ti.end_date else None
            result.tasks[ti.task_id] = {
                "state": _name(ti.state),
                "seconds": seconds,
                "result": None,
            }
        query = XComModel.get_many(run_id=dag_run.run_id, dag_ids=DAG_ID, key="return_value")
        for xcom in session.scalars(query):
            if xcom.task_id in result.tasks:
                value = XComModel.deserialize_value(xcom)
                result.tasks[xcom.task_id]["result"] = value
    return result


def _name(state) -> str:
    return str(getattr(state, "value", state))


def main(argv: list[str] | None = None) -> int:
    """`python -m launch.airflow_runner [--json-out PATH]`: one DAG run on the data dir."""
    import argparse
    import json

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--json-out", help="also write the run's outcome as JSON to this file")
    args = parser.parse_args(argv)
    result = run_dag(Settings())
    outcome = json.dumps({"state": result.state, "tasks": result.tasks}, default=str, indent=2)
    print(outcome)
    if args.json_out:
        Path(args.json_out).write_text(outcome)
    return 0 if result.succeeded else 1


if __name__ == "__main__":
    raise SystemExit(main())
