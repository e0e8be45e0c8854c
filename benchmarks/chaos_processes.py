"""The chaos run's processes and the process manager it plays: a consumer that dies is started
again after a second, as systemd's `Restart=always` would; uvicorn restarts its own workers and
Ray Serve its own replicas, so those are only killed here, never restarted by us."""

from __future__ import annotations

import logging
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil

RESTART_AFTER_S = 1.0  # a process manager's pause before it starts a dead service again


class Supervised:
    """One command kept running until `stop()`; its output goes to `log_dir/<name>.log`."""

    def __init__(self, name: str, command: list[str], env: dict[str, str], log_dir: Path) -> None:
        self.name, self.command, self.env = name, command, env
        self.log_path = log_dir / f"{self.name}.log"
        self.process: subprocess.Popen | None = None
        self.restarts = 0
        self._stop = threading.Event()
        self._watcher = threading.Thread(target=self._watch, name=f"supervise-{name}", daemon=True)

    def start(self) -> Supervised:
        self._spawn()
        self._watcher.start()
        return self

    def _spawn(self) -> None:
        with open(self.log_path, "a") as log:
            self.process = subprocess.Popen(
                self.command, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )

    def _watch(self) -> None:
        while not self._stop.wait(0.1):
            if self.process is not None and self.process.poll() is not None:
                if self._stop.wait(RESTART_AFTER_S):
                    return
                self.restarts += 1
                self._spawn()

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def wait_running(self, timeout_s: float = 30) -> None:
        """Until a started process is alive: one killed a moment ago waits for its restart."""
        deadline = time.monotonic() + timeout_s
        while self.process is None or self.process.poll() is not None:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.name} did not come back within {timeout_s} s")
            time.sleep(0.05)

    def kill(self, timeout_s: float = 30) -> int:
        """SIGKILL, no warning: what the kernel's OOM killer or a pulled plug does. Returns once
        the process is dead: until the kernel has ended it, `poll()` still calls it running, so a
        second fault due at once (a slow fault before them makes both overdue) would find it
        "running", kill it again and see one restart for two faults."""
        process = self.process
        assert process is not None
        process.kill()  # Popen's own: nothing sent to a process already reaped
        process.wait(timeout=timeout_s)
        return process.pid

    def stop(self, timeout_s: float = 60) -> int | None:
        """SIGTERM, then the exit code (SIGKILL after `timeout_s`)."""
        self._stop.set()
        self._watcher.join(timeout=5)
        if self.process is None:
            return None
        self.process.terminate()
        try:
            return self.process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()


def python_module(module: str, *args: str) -> list[str]:
    return [sys.executable, "-m", module, *args]


def live_children(pid: int) -> list[int]:
    """The uvicorn supervisor's worker processes (or a Ray process's children) alive now."""
    try:
        children = psutil.Process(pid).children()
    except psutil.NoSuchProcess:
        return []
    return [child.pid for child in children if child.is_running() and child.status() != "zombie"]


def wait_for(predicate, timeout_s: float, every_s: float = 0.05) -> float | None:  # type: ignore[no-untyped-def]
    """Seconds until `predicate()` held, or None if it did not within `timeout_s`."""
    started = time.monotonic()
    while time.monotonic() - started < timeout_s:
        try:
            if predicate():
                return time.monotonic() - started
        except Exception as error:  # a service on its way back answers with errors: not yet
            logging.getLogger(__name__).debug("not recovered yet: %r", error)
        time.sleep(every_s)
    return None
