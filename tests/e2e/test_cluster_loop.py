"""The loop on the cluster profile, as `make up-cluster` runs it: `scripts/cluster.sh up --fresh`
starts PostgreSQL, Redis, a Spark master and two workers, an MLflow server, a Ray head and
Airflow (api-server, scheduler, dag-processor); `python -m launch.up` deploys serving with
`serve deploy`, shops a round, and the scheduler runs `store_loop` from the round's asset event.

Halfway through the run the online store's Redis goes away and comes back: Airflow retries the
task that needed it, and the run still succeeds. Nothing is mocked. The servers listen on ports
moved by an offset, beside a developer's own cluster and the other tests' services.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import pyarrow.dataset as ds
import pytest
import sqlalchemy as sa

from launch.airflow_runner import airflow_api, dag_runs
from launch.invariants import failed
from launch.lake_invariants import check_live_store
from storeloop.settings import REPO_ROOT, Settings

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.slow,
    pytest.mark.cluster,
    pytest.mark.spark,
    pytest.mark.ray,
    pytest.mark.airflow,
    # The servers' start and the round count against the first test: 14 min beside make test.
    pytest.mark.timeout(2400),
]

OFFSET = 1000
CLUSTER = REPO_ROOT / "scripts" / "cluster.sh"
PORTS = {  # each server's own port, as scripts/cluster.sh moves it
    "PostgreSQL": 55442, "Redis": 56390, "Spark master": 7177, "MLflow": 5055,
    "Ray": 6390, "Ray dashboard": 8266, "Serve": 8000, "gateway": 8080, "Airflow": 8095,
}  # fmt: skip
SCALE = ["--products", "300", "--shoppers", "40", "--rounds", "1", "--days", "2"]


def _port(name: str) -> int:
    return PORTS[name] + OFFSET


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _cluster(
    command: list[str], env: dict[str, str], timeout: float
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(CLUSTER), *command], env=env, capture_output=True, text=True, timeout=timeout
    )


def _sourced(env_file: Path, env: dict[str, str]) -> dict[str, str]:
    """The environment a shell has after `source cluster.env`, as `make up-cluster` runs."""
    dumped = subprocess.run(
        ["bash", "-c", f"source '{env_file}' && env -0"],
        env=env, capture_output=True, check=True,
    ).stdout  # fmt: skip
    return dict(item.split("=", 1) for item in dumped.decode().split("\0") if "=" in item)


class Airflow:
    """Airflow's REST API as its UI reads it, signed in as the launcher signs in."""

    def __init__(self, env: dict[str, str]) -> None:
        self.api = airflow_api(env["STORE_AIRFLOW_URL"], Path(env["AIRFLOW_HOME"]))

    def runs(self) -> list[dict]:
        return dag_runs(self.api)

    def tasks(self, run_id: str) -> dict[str, dict]:
        answer = self.api.get(f"/api/v2/dags/store_loop/dagRuns/{run_id}/taskInstances")
        return {ti["task_id"]: ti for ti in answer.json().get("task_instances", [])}

    def log(self, run_id: str, task_id: str, try_number: int) -> str:
        answer = self.api.get(
            f"/api/v2/dags/store_loop/dagRuns/{run_id}/taskInstances/{task_id}/logs/{try_number}",
            params={"full_content": True},
            headers={"Accept": "application/json"},
        )
        answer.raise_for_status()
        return json.dumps(answer.json().get("content"))


def _take_redis_away_during_materialize(env: dict[str, str], seen: dict, stop: threading.Event):
    """Redis stops while the gold gate runs and starts again once Airflow has failed the
    materialisation that needed it: the retry is Airflow's, not ours."""
    try:
        airflow = None
        while not stop.is_set():
            time.sleep(0.5)
            airflow = airflow or (Airflow(env) if _listening(_port("Airflow")) else None)
            runs = airflow.runs() if airflow else []
            if not runs:
                continue
            run_id = runs[-1]["dag_run_id"]
            tasks = airflow.tasks(run_id)
            state = {task: ti.get("state") for task, ti in tasks.items()}
            if "redis_stopped_at" not in seen and state.get("check_gold") == "running":
                subprocess.run(
                    ["redis-cli", "-p", str(_port("Redis")), "shutdown", "nosave"],
                    env={**env, "REDISCLI_AUTH": env["STORE_CLUSTER_PASSWORD"]},
                    capture_output=True,
                )
                seen["redis_stopped_at"] = time.monotonic()
            if "redis_stopped_at" in seen and state.get("feast_materialize") == "up_for_retry":
                seen["failed_try"] = tasks["feast_materialize"]["try_number"]
                seen["run_id"] = run_id
                started = _cluster(["start", "redis"], env, 60)
                seen["redis_started"] = started.returncode == 0 or started.stderr
                return
    except Exception as error:  # the test reports it; the thread must not die silently
        seen["error"] = repr(error)


@pytest.fixture(scope="module")
def cluster():
    # Not pytest's tmp_path: a pytest session started beside this one prunes older base dirs
    # (Ray's sockets would go with them), and Ray's socket paths must stay short.
    state = Path(tempfile.mkdtemp(prefix="storeloop-cluster-"))
    base = {
        **os.environ,
        "STORE_CLUSTER_DIR": str(state),
        "STORE_CLUSTER_PORT_OFFSET": str(OFFSET),
        "STORE_CLUSTER_PASSWORD": secrets.token_hex(12),
        "STORE_JWT_SECRET": secrets.token_hex(24),
        "PYTHONPATH": str(REPO_ROOT),
        # One Serve replica: the two cores are shared with the rest of make test.
        "STORE_SERVING_REPLICAS": "1",
    }
    try:
        up = _cluster(["up", "--fresh"], base, 1200)
    except subprocess.TimeoutExpired as late:  # what it started must not outlive the test
        _cluster(["down"], base, 180)
        said = late.stderr or ""  # bytes, whatever `text` said: it was cut off mid-stream
        said = said.decode(errors="replace") if isinstance(said, bytes) else said
        pytest.fail(f"scripts/cluster.sh up took over 1200 s:\n{said[-4000:]}")
    if up.returncode != 0:  # the state dir stays for its logs
        _cluster(["down"], base, 180)
        pytest.fail(f"scripts/cluster.sh up failed:\n{up.stderr[-4000:]}")
    env = _sourced(state / "cluster.env", base)
    started = {
        line.split()[0]: int(line.split()[1])
        for line in (state / "startup_seconds").read_text().splitlines()
    }
    seen: dict = {}
    stop = threading.Event()
    fault = threading.Thread(target=_take_redis_away_during_materialize, args=(env, seen, stop))
    fault.start()
    data_dir = Path(env["STORE_DATA_DIR"])
    log_path = state / "up.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "launch.up", *SCALE],
            cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    ready_file = data_dir / "reports" / "up_ready.json"
    deadline = time.monotonic() + 1500
    try:
        while not ready_file.exists():
            if process.poll() is not None or time.monotonic() > deadline:
                said = log_path.read_text()[-6000:]
                # The state dir goes below: what the gateway said goes into the failure.
                gateway_log = data_dir / "reports" / "gateway.log"
                if gateway_log.exists():
                    said += f"\n{gateway_log.name}:\n{gateway_log.read_text()[-3000:]}"
                pytest.fail(f"make up-cluster did not come up:\n{said}")
            time.sleep(2)
        stop.set()
        fault.join(timeout=60)
        ready = json.loads(ready_file.read_text())
        yield {"env": env, "ready": ready, "fault": seen, "started": started, "state": state,
               "launcher": process}  # fmt: skip
    finally:
        stop.set()
        _stop_launcher(process)
        _cluster(["down"], base, 180)
        shutil.rmtree(state, ignore_errors=True)


def _stop_launcher(process: subprocess.Popen) -> None:
    """Ctrl-C's path: the launcher stops its gateway and consumers."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def _settings(cluster) -> Settings:
    saved = dict(os.environ)
    os.environ.update(cluster["env"])
    try:
        return Settings()
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _scalar(url: str, sql: str, **params):
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text(sql), params).scalar_one()
    finally:
        engine.dispose()


def _rows(settings: Settings, layer: str, table: str) -> int:
    path = settings.lake_dir / layer / table
    return ds.dataset(path, format="parquet", partitioning="hive").count_rows()


def test_every_part_started_as_its_own_server(cluster):
    assert set(cluster["started"]) == {"postgres", "redis", "spark", "mlflow", "ray", "airflow"}
    for name, port in PORTS.items():
        assert _listening(port + OFFSET), f"{name} is not listening on {port + OFFSET}"
    masters = httpx.get(f"http://127.0.0.1:{8190 + OFFSET}/json/").json()
    assert masters["aliveworkers"] == 2


def test_the_scheduler_ran_the_round_and_retried_the_task_that_lost_redis(cluster):
    fault, ready = cluster["fault"], cluster["ready"]
    assert "error" not in fault, fault
    assert ready["dag_state"] == "success"
    (round_one,) = json.loads((_settings(cluster).reports_dir / "rounds.json").read_text())
    assert round_one["dag_run_id"].startswith("asset_triggered__")  # the asset event, not a test
    airflow = Airflow(cluster["env"])
    tasks = airflow.tasks(round_one["dag_run_id"])
    assert {ti["state"] for ti in tasks.values()} == {"success"}
    assert fault["redis_started"] is True
    assert fault["failed_try"] == 1
    assert tasks["feast_materialize"]["try_number"] == 2
    first_try = airflow.log(round_one["dag_run_id"], "feast_materialize", 1)
    assert "Connection refused" in first_try or "ConnectionError" in first_try


def test_every_event_reached_bronze_and_silver_holds_every_order(cluster):
    """`make check-invariants` on the cluster's store and lake: outbox = bronze by event id (none
    lost, none doubled), silver = what the events say, orders = OrderPlaced events."""
    settings = _settings(cluster)
    placed = _scalar(
        settings.db_url, "SELECT COUNT(*) FROM outbox WHERE type = 'orders.OrderPlaced.v1'"
    )
    assert placed > 0
    checks = check_live_store(settings.db_url, settings.lake_dir)
    assert {"outbox_equals_bronze", "silver_matches_events", "orders_match_order_placed"} <= set(
        checks
    )
    assert not failed(checks), {name: checks[name].detail for name in failed(checks)}


def test_spark_jobs_ran_on_the_standalone_master(cluster):
    master = httpx.get(f"http://127.0.0.1:{8190 + OFFSET}/json/").json()
    finished = [app["name"] for app in master["completedapps"]]
    assert finished.count("storeloop") >= 2  # silver and gold, each its own driver


def test_the_analysts_marts_are_on_postgresql(cluster):
    settings = _settings(cluster)
    assert settings.marts_url and settings.marts_url.endswith("/marts")
    orders = _scalar(settings.marts_url, "SELECT COUNT(*) FROM public.fct_orders")
    assert orders == _rows(settings, "silver", "orders")


def test_models_are_registered_on_the_mlflow_server(cluster):
    settings = _settings(cluster)
    assert settings.mlflow_tracking_uri and settings.tracking_uri.startswith("http://")
    found = httpx.get(
        f"{settings.tracking_uri}/api/2.0/mlflow/registered-models/search",
        params={"max_results": 100},
    ).json()
    names = {model["name"] for model in found.get("registered_models", [])}
    assert {"search-ranker", "recommender"} <= names


def test_the_online_store_is_redis_and_the_apis_answer_through_serve(cluster):
    settings, ready = _settings(cluster), cluster["ready"]
    assert settings.feast_online_store == "redis"
    import redis

    keys = redis.Redis.from_url(settings.redis_url).dbsize()
    assert keys > 0
    assert ready["serving_url"].endswith(f":{_port('Serve')}")
    found = httpx.get(f"{ready['gateway_url']}/api/search", params={"q": "shoes", "limit": 5})
    assert found.status_code == 200
    assert found.json()["results"]


def test_down_leaves_nothing_running(cluster):
    _stop_launcher(cluster["launcher"])
    done = _cluster(["down"], cluster["env"], 180)
    assert done.returncode == 0, done.stderr
    still = [name for name, port in PORTS.items() if _listening(port + OFFSET)]
    assert still == []
    left = subprocess.run(
        ["pgrep", "-f", str(cluster["state"])], capture_output=True, text=True
    ).stdout.split()
    assert left == []
