"""Starts and stops the serving application on a local Ray, HTTP on settings' host and port."""

from __future__ import annotations

import contextlib
import logging
import os
import time

import httpx

from serving import direct_ingress
from serving.champions import POLL_S
from storeloop.settings import REPO_ROOT, Settings

APP_NAME = "storeloop"
# Serve's controller gives a new HTTP proxy three ready checks of 5 s each, then kills it; on a
# loaded machine the proxy's worker process alone can take longer to start, and `serve.start`
# then fails on the killed proxy. Read by the controller at import, as the local Ray's processes
# inherit this process's environment.
PROXY_READY_CHECK = ("RAY_SERVE_PROXY_READY_CHECK_TIMEOUT_S", "60")
# `serve.start` waits a fixed 60 s for the proxy and then raises, though its controller lives on
# and keeps starting the proxy: with three Ray clusters starting at once on two cores (the test
# run) that took longer. A second `serve.start` joins the live controller; the proxy is then
# awaited on its own port, as long as this.
PROXY_PATIENCE_S = 300.0
# `ray.init` gives its new raylet a fixed 30 s to register with the GCS it just started, and then
# raises with both left running; the end-to-end loop overran that beside the rest of the test run.
# What a failed try started is ended before the next.
RAY_INIT_TRIES = 3


class _DefaultTokenAuthNotice(logging.Filter):
    """Token authentication is Ray's default for a local cluster, and Ray warns on every start that
    it chose it: the safe default, nothing for the store's operator to act on."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Token authentication is enabled")


def start(settings: Settings, poll_s: float = POLL_S) -> str:
    """Runs the app (blocking until it is ready) and returns its base URL."""
    import ray

    from serving.app import build_app, serve  # Serve, imported without its pydantic notice

    if not ray.is_initialized():
        direct_ingress.configure(settings.serving_direct_ingress)
        os.environ.setdefault(*PROXY_READY_CHECK)
        logging.getLogger("ray._private.authentication.authentication_token_setup").addFilter(
            _DefaultTokenAuthNotice()
        )
        # Workers import the project from the repo root, as the driver does.
        pythonpath = os.pathsep.join(p for p in (str(REPO_ROOT), os.environ.get("PYTHONPATH")) if p)
        _init_local_ray(runtime_env={"env_vars": {"PYTHONPATH": pythonpath}})
    # The launcher says when serving is up; Serve's own progress lines would say it twice.
    logging.getLogger("ray.serve").setLevel(logging.WARNING)
    http_options = {"host": settings.serving_host, "port": settings.serving_port}
    try:
        serve.start(http_options=http_options)
    except TimeoutError:
        serve.start(http_options=http_options)
    serve.run(build_app(settings, poll_s), name=APP_NAME, route_prefix="/")
    url = f"http://{settings.serving_host}:{settings.serving_port}"
    _await_proxy(url, PROXY_PATIENCE_S)
    return url


def _init_local_ray(runtime_env: dict) -> None:
    import psutil
    import ray

    this_process = psutil.Process()
    for attempt in range(1, RAY_INIT_TRIES + 1):
        before = {child.pid for child in this_process.children()}
        try:
            ray.init(
                num_cpus=max(2, os.cpu_count() or 1),
                include_dashboard=False,
                log_to_driver=False,
                logging_level=logging.WARNING,  # not "Started a local Ray instance" on every start
                runtime_env=runtime_env,
            )
            return
        except Exception:
            if attempt == RAY_INIT_TRIES:
                raise
            started = [child for child in this_process.children() if child.pid not in before]
            _end_processes(started)
            logging.getLogger(__name__).warning(
                "local Ray did not start (try %d of %d); starting it again", attempt, RAY_INIT_TRIES
            )


def _end_processes(processes: list) -> None:
    """Kills these processes and everything they started, and waits for them to go."""
    import psutil

    family = []
    for process in processes:
        with contextlib.suppress(psutil.NoSuchProcess):
            family += [process, *process.children(recursive=True)]
    for member in family:
        with contextlib.suppress(psutil.NoSuchProcess):
            member.kill()
    psutil.wait_procs(family, timeout=30)


def _await_proxy(url: str, patience_s: float) -> None:
    """Returns once Serve's proxy answers its health route; `serve.run` waits for the app's
    replicas only, and a proxy that missed `serve.start`'s wait may still be starting."""
    deadline = time.monotonic() + patience_s
    while True:
        try:
            if httpx.get(f"{url}/-/healthz", timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"Serve's HTTP proxy did not answer on {url} in {patience_s:.0f} s")
        time.sleep(0.5)


def stop() -> None:
    """Ends the local Ray `start` began, and Serve with it (its proxy and replicas are that Ray's
    processes). `serve.shutdown()` first only makes the raylet print a failed-task line."""
    import ray

    if ray.is_initialized():
        ray.shutdown()


if __name__ == "__main__":
    import signal

    url = start(Settings())
    print(f"serving on {url}; Ctrl-C stops")
    try:
        signal.pause()
    finally:
        stop()
