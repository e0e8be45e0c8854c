"""The faults of the chaos run. Each `inject()` breaks one thing and returns a predicate that holds
once the store has recovered from it; the run times how long that takes.

Recovered means doing its job again, not merely alive: a consumer started afresh has read past
the outbox head of the moment it was killed, the gateway has all its workers and answers, a
Serve replica is replaced and both answer, PostgreSQL answers reads through the gateway again.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable
from dataclasses import dataclass

import httpx
import psutil
from sqlalchemy import create_engine, text

from benchmarks.chaos_postgres import ThrowawayPostgres
from benchmarks.chaos_processes import Supervised, live_children, wait_for
from consumers.checkpoint import FileCheckpoint
from storeloop.settings import Settings

Recovered = Callable[[], bool]


@dataclass
class Fault:
    kind: str
    inject: Callable[[], Recovered]
    timeout_s: float = 90
    # What must hold before the fault can be injected (a live victim), waited for up to
    # `timeout_s`; the recovery is timed from the injection, not from the wait.
    ready: Recovered | None = None


def outbox_head(url: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return int(connection.execute(text("SELECT MAX(position) FROM outbox")).scalar() or 0)
    finally:
        engine.dispose()


def kill_consumer(
    process: Supervised, checkpoint_name: str, settings: Settings, url: str
) -> Recovered:
    process.wait_running()  # killed moments ago by the previous fault: kill the new one
    head, restarts = outbox_head(url), process.restarts
    process.kill()
    checkpoint = FileCheckpoint(settings.checkpoint_dir, checkpoint_name)

    # Past the head of the moment it died, by a process started since: shoppers keep writing,
    # so only the new process can have read further. Once they stop (the last moments of a
    # run) nothing new may come: then reaching the head of now is the job done.
    def recovered() -> bool:
        if process.restarts <= restarts:
            return False
        position = checkpoint.position
        return position > head or position >= outbox_head(url)

    return recovered


def gateway_workers(supervisor_pid: int) -> list[int]:
    """uvicorn's workers, not the resource tracker that multiprocessing also starts."""
    workers = []
    for pid in live_children(supervisor_pid):
        try:
            command = " ".join(psutil.Process(pid).cmdline())
        except psutil.NoSuchProcess:
            continue
        if "resource_tracker" not in command:
            workers.append(pid)
    return workers


def kill_gateway_worker(supervisor_pid: int, workers: int, base_url: str) -> Recovered:
    # A worker killed moments ago by the previous fault is replaced first: then the older goes.
    wait_for(lambda: len(gateway_workers(supervisor_pid)) >= workers, 30)
    victim = min(gateway_workers(supervisor_pid))
    os.kill(victim, signal.SIGKILL)

    def recovered() -> bool:
        now = gateway_workers(supervisor_pid)
        if victim in now or len(now) < workers:
            return False
        return all(httpx.get(f"{base_url}/health", timeout=2).status_code == 200 for _ in now)

    return recovered


def restart_postgres(server: ThrowawayPostgres, base_url: str, token: str) -> Recovered:
    server.restart()
    orders = f"{base_url}/api/orders"
    auth = {"Authorization": f"Bearer {token}"}
    # Every worker must have its pool back: as many answers in a row as the pool has workers.
    return lambda: all(httpx.get(orders, headers=auth, timeout=5).status_code == 200 for _ in "ab")


def serve_replicas(serving_url: str, polls: int = 12) -> set[str]:
    return {httpx.get(f"{serving_url}/health", timeout=5).json()["replica"] for _ in range(polls)}


def serve_replicas_answer(serving_url: str, replicas: int) -> Recovered:
    """Every replica answers: one killed by the previous fault has been replaced (a replica takes
    40-50 s to come back here, and faults may come faster; with none answering there is
    nothing to kill)."""
    return lambda: len(serve_replicas(serving_url)) >= replicas


def kill_serve_replica(serving_url: str, replicas: int) -> Recovered:
    replica = httpx.get(f"{serving_url}/health", timeout=5).json()["replica"]
    victim = int(replica.rsplit(":", 1)[1])
    os.kill(victim, signal.SIGKILL)

    def recovered() -> bool:
        seen = serve_replicas(serving_url)
        return replica not in seen and len(seen) >= replicas

    return recovered
