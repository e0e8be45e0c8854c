"""The cluster profile's side of `make up`: serving deployed to the running Ray cluster from the
committed Serve config, the gateway under uvicorn's process manager with one worker per core, and
a refusal to run with the development secrets. The servers themselves are `scripts/cluster.sh`'s.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import yaml  # type: ignore[import-untyped]
from sqlalchemy import make_url

from storeloop.settings import REPO_ROOT, Settings

SERVE_CONFIG = REPO_ROOT / "serving" / "serve_config.yaml"
DEPLOY_ATTEMPTS = 3
# What a run of the loop sets for serving (the A/B split, interleaving, exploration): the Ray
# cluster's environment does not have them, so they travel as the application's args.
EXPERIMENT_SETTINGS = ("control_share", "explore_share", "interleave_share", "experiment_salt")


class ClusterError(RuntimeError):
    """One line for the reader: which part, and where its log is."""


def refuse_development_secrets(settings: Settings) -> None:
    if make_url(settings.db_url).get_backend_name() != "postgresql":
        raise ClusterError(
            "the cluster profile runs the store on PostgreSQL: set STORE_DATABASE_URL"
        )
    if found := settings.development_secrets():
        named = ", ".join(found)
        raise ClusterError(f"the cluster profile refuses development secrets: set {named}")


GATEWAY_PATIENCE_S = 300.0


def wait_healthy(
    name: str, url: str, seconds: float, log_hint: str, process: subprocess.Popen | None = None
) -> None:
    """`process`: the server itself, so one that exited (a port taken, an import failing) says
    so at once rather than after the whole wait."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise ClusterError(
                f"{name} exited with code {process.returncode} before answering; see {log_hint}"
            )
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise ClusterError(f"{name} did not answer {url} within {seconds:.0f} s; see {log_hint}")


def serve_config(settings: Settings) -> dict:
    """The committed Serve config with this run's experiment settings as each app's args, and
    the settings' serving address (a second cluster on the machine listens on its own port)."""
    config = yaml.safe_load(SERVE_CONFIG.read_text())
    config["http_options"].update(host=settings.serving_host, port=settings.serving_port)
    experiment = {name: str(getattr(settings, name)) for name in EXPERIMENT_SETTINGS}
    for application in config["applications"]:
        application["args"] = {**(application.get("args") or {}), **experiment}
    return config


def deploy_serving(settings: Settings) -> str:
    """`serve deploy` of the committed config to the cluster's dashboard, with this run's
    experiment settings as the application's args; waits for /health."""
    deployed = settings.reports_dir / "serve_config.yaml"
    deployed.write_text(yaml.safe_dump(serve_config(settings), sort_keys=False))
    serve_cli = Path(sys.executable).with_name("serve")
    # A loaded head's dashboard can fail a deploy it would take seconds later; the config is
    # declarative, so sending it again is safe.
    for attempt in range(1, DEPLOY_ATTEMPTS + 1):
        done = subprocess.run(  # noqa: S603 - our own scripts, an argument list
            [str(serve_cli), "deploy", str(deployed), "--address", settings.ray_dashboard_url],
            capture_output=True,
            text=True,
        )
        if done.returncode == 0:
            break
        if attempt == DEPLOY_ATTEMPTS:
            last = (done.stderr or done.stdout).strip().splitlines()[-5:] or ["no output"]
            raise ClusterError(f"serve deploy failed {attempt} times: " + " | ".join(last))
        time.sleep(10)
    wait_healthy(
        "Ray Serve",
        f"{settings.serving_url}/health",
        300,
        "`serve status` and the Ray logs under the cluster dir's ray/session_latest/logs",
    )
    return settings.serving_url


@dataclass
class GatewayProcesses:
    url: str
    process: subprocess.Popen

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # uvicorn's supervisor stops its workers
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()


def gateway_workers(settings: Settings) -> int:
    return settings.gateway_workers or os.cpu_count() or 1


def start_gateway_processes(settings: Settings, log_path: Path) -> GatewayProcesses:
    """The gateway factory under uvicorn's supervisor (it restarts a worker that dies)."""
    workers = gateway_workers(settings)
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "launch.gateway_server:app_from_env",
        "--host",
        settings.serving_host,
        "--port",
        str(settings.gateway_port),
        "--workers",
        str(workers),
        "--log-level",
        "warning",
        "--no-server-header",
    ]
    with log_path.open("ab") as log_file:
        process = subprocess.Popen(  # noqa: S603 - our own servers, an argument list
            command, env={**os.environ, "PYTHONPATH": str(REPO_ROOT)}, stdout=log_file,
            stderr=subprocess.STDOUT, cwd=REPO_ROOT,
        )  # fmt: skip
    url = f"http://{settings.serving_host}:{settings.gateway_port}"
    try:
        # Minutes: under make test's load (three suites on two cores) its workers' imports and
        # store took over two; a worker that fails says so at once through `process`.
        wait_healthy("the gateway", f"{url}/health", GATEWAY_PATIENCE_S, str(log_path), process)
    except ClusterError:
        GatewayProcesses(url, process).stop()
        raise
    return GatewayProcesses(url, process)
