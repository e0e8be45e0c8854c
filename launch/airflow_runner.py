"""Runs the store_loop DAG in-process with `dag.test()` on a SQLite metadata DB under the data dir.

Airflow reads its configuration from the environment when it is first imported, so `configure`
must run before anything imports airflow.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
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
    subprocess.run(  # noqa: S603 - our own command, an argument list
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
                "try_number": ti.try_number,
            }
        query = XComModel.get_many(run_id=dag_run.run_id, dag_ids=DAG_ID, key="return_value")
        for xcom in session.scalars(query):
            if xcom.task_id in result.tasks:
                value = XComModel.deserialize_value(xcom)
                result.tasks[xcom.task_id]["result"] = value
    return result


AIRFLOW_USER = "storeloop"
RUN_TIMEOUT_S = 3600


def run_on_scheduler(settings: Settings, round_number: int) -> DagRunResult:
    """The cluster profile: mark the round's end on the `round_ended` asset over Airflow's REST
    API, then follow the run its scheduler starts to the end (task states, durations, results)."""
    from dags.store_loop import ROUND_ENDED

    assert settings.airflow_url is not None
    api = airflow_api(settings.airflow_url, Path(os.environ["AIRFLOW_HOME"]))
    try:
        asset_id = _wait_for(
            lambda: _asset_id(api, ROUND_ENDED.uri), 180, "the dag-processor to parse store_loop"
        )
        before = {run["dag_run_id"] for run in dag_runs(api)}
        marked = api.post(
            "/api/v2/assets/events", json={"asset_id": asset_id, "extra": {"round": round_number}}
        )
        marked.raise_for_status()
        run = _wait_for(lambda: _new_run(api, before), 120, "the scheduler to start store_loop")
        finished = _wait_for(
            lambda: _finished(api, run["dag_run_id"]), RUN_TIMEOUT_S, "store_loop to finish"
        )
        return _collect_over_api(api, finished)
    finally:
        api.close()


def airflow_api(url: str, airflow_home: Path):  # type: ignore[no-untyped-def]
    """An httpx client of Airflow's REST API, signed in as our user with the simple auth
    manager's generated password (already used: close it, do not enter it with `with`)."""
    import httpx

    api = httpx.Client(base_url=url, timeout=30)
    api.headers["Authorization"] = f"Bearer {_token(api, airflow_home)}"
    return api


def _token(api, home: Path) -> str:
    passwords = json.loads((home / "simple_auth_manager_passwords.json.generated").read_text())
    answer = api.post(
        "/auth/token", json={"username": AIRFLOW_USER, "password": passwords[AIRFLOW_USER]}
    )
    answer.raise_for_status()
    return answer.json()["access_token"]


def _wait_for(probe, seconds: float, what: str):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(1.0)
    raise RuntimeError(f"timed out after {seconds:.0f} s waiting for {what}")


def _asset_id(api, uri: str) -> int | None:
    answer = api.get("/api/v2/assets", params={"uri_pattern": uri})
    assets = answer.json().get("assets", []) if answer.status_code == 200 else []
    return next((asset["id"] for asset in assets if asset["uri"] == uri), None)


def dag_runs(api) -> list[dict]:
    answer = api.get(f"/api/v2/dags/{DAG_ID}/dagRuns", params={"limit": 100})
    return answer.json().get("dag_runs", []) if answer.status_code == 200 else []


def _new_run(api, before: set[str]) -> dict | None:
    return next((run for run in dag_runs(api) if run["dag_run_id"] not in before), None)


def _finished(api, run_id: str) -> dict | None:
    run = api.get(f"/api/v2/dags/{DAG_ID}/dagRuns/{run_id}").json()
    return run if run.get("state") in ("success", "failed") else None


def _collect_over_api(api, run: dict) -> DagRunResult:
    run_id = run["dag_run_id"]
    result = DagRunResult(state=run["state"], run_id=run_id)
    listed = api.get(f"/api/v2/dags/{DAG_ID}/dagRuns/{run_id}/taskInstances", params={"limit": 100})
    for ti in listed.json().get("task_instances", []):
        value = None
        if ti["state"] == "success":
            xcom = api.get(
                f"/api/v2/dags/{DAG_ID}/dagRuns/{run_id}/taskInstances/{ti['task_id']}"
                "/xcomEntries/return_value",
                params={"deserialize": True},
            )
            value = xcom.json().get("value") if xcom.status_code == 200 else None
        result.tasks[ti["task_id"]] = {
            "state": ti["state"],
            "seconds": ti.get("duration"),
            "result": value,
            "try_number": ti.get("try_number"),
        }
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
