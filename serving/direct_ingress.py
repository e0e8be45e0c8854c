"""Serve's direct ingress: each replica of the app also answers HTTP on a port of its own, so a
caller that knows those ports saves the proxy's hop. Here a search through a replica's own port
took 2.6 ms against 8.1 ms through the proxy, and one replica answered 345 searches a second
against 169 for two behind the proxy (benchmarks/search_http.py, 5,000 products). The proxy stays on
settings' port: for discovery, and for a caller that knows no replica."""

from __future__ import annotations

import os
from typing import Any

FLAG = "RAY_SERVE_ENABLE_DIRECT_INGRESS"  # read by Serve's controller and replicas at import
# Serve's preset for throughput: user code on the replica's own event loop rather than a thread
# of its own, gRPC from the proxy, logs to files only. Beside direct ingress it took 8 gateway
# clients from 247 to 297 searches a second (p50 26.2 to 21.3 ms, 5,000 products).
THROUGHPUT_PRESET = "RAY_SERVE_THROUGHPUT_OPTIMIZED"


def configure(on: bool) -> None:
    """Before Ray starts: its processes inherit the flags from this one's environment. Set either
    way, so a second start in one process follows its own settings, not the first one's."""
    for name in (FLAG, THROUGHPUT_PRESET):
        os.environ[name] = "1" if on else "0"


def ray_start_env(on: bool) -> str:
    """The same flags as `NAME=value` words, for a `ray start` that a shell runs (the cluster)."""
    return " ".join(f"{name}={1 if on else 0}" for name in (FLAG, THROUGHPUT_PRESET))


def enabled() -> bool:
    return os.environ.get(FLAG) == "1"


LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


def reachable_host(reported: str, listen_host: str | None) -> str:
    """Where a replica answers: Serve reports it by its node's address, but each replica binds
    the host its proxy binds (http_options); on a loopback one the node's address refuses the
    connection, so the gateway fell back to the proxy for every request."""
    return listen_host if listen_host in LOOPBACK else reported


def replica_urls(app_name: str, listen_host: str | None = None) -> list[str]:
    """The HTTP address of each running replica of `app_name`; empty without direct ingress.
    Asked of Serve's controller, which allocates the ports (there is no public API for it);
    `listen_host` is the host Serve's HTTP binds (settings' serving host)."""
    if not enabled():
        return []
    import ray
    from ray.serve._private.common import RequestProtocol
    from ray.serve._private.constants import SERVE_CONTROLLER_NAME, SERVE_NAMESPACE

    controller = ray.get_actor(SERVE_CONTROLLER_NAME, namespace=SERVE_NAMESPACE)
    groups: list[Any] = ray.get(controller.get_target_groups.remote(app_name), timeout=5)
    return sorted(
        f"http://{reachable_host(target.ip, listen_host)}:{target.port}"
        for group in groups
        if group.protocol == RequestProtocol.HTTP and group.app_name == app_name
        for target in group.targets
    )


if __name__ == "__main__":
    from storeloop.settings import Settings

    print(ray_start_env(Settings().serving_direct_ingress))
