"""Prometheus request metrics for an HTTP service (the gateway, serving): requests by route and
status (errors and 429s are statuses), and the time to answer by route. Routes are labelled by
their template (`/api/orders/{order_id}`), so the series stay few whatever the ids.

Counts are per process: under `uvicorn --workers N`, or Ray Serve's replicas, each process counts
its own requests and a scrape reads one of them. Feast, once imported, switches prometheus_client
to its multiprocess value files (PROMETHEUS_MULTIPROC_DIR): a series then continues from where an
earlier app in the same process left it, as a counter may. One registry per app all the same:
tests build many."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.exposition import generate_latest
from prometheus_client.registry import Collector
from starlette.types import Scope

# Seconds: an order's checkout takes tens of milliseconds, a cached read a fraction of one.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
UNMATCHED = "unmatched"  # no route: 404s of unknown paths, one series for all of them


class RequestMetrics:
    """`storeloop_<service>_requests_total` and `storeloop_<service>_request_seconds`, plus any
    collector `register`ed beside them (what the service knows at scrape time)."""

    def __init__(self, service: str) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            f"storeloop_{service}_requests",
            "Requests answered, by method, route template and status",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            f"storeloop_{service}_request_seconds",
            "Seconds from a request's arrival to its answer, by method and route template",
            ["method", "route"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )

    def observe(self, scope: Scope, status: int, seconds: float) -> None:
        route = route_template(scope)
        self.requests.labels(scope["method"], route, str(status)).inc()
        self.latency.labels(scope["method"], route).observe(seconds)

    def register(self, collector: Collector) -> None:
        self.registry.register(collector)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


def route_template(scope: Scope) -> str:
    # The router records the matched route in the request's scope.
    return getattr(scope.get("route"), "path", None) or UNMATCHED
