"""The gateway's Prometheus metrics, served at /metrics (storeloop.request_metrics): requests and
their latency by route. A launcher may register more collectors on it (consumer lag, failed DAG
runs): the gateway itself knows nothing of them."""

from __future__ import annotations

from storeloop.request_metrics import RequestMetrics


class GatewayMetrics(RequestMetrics):
    def __init__(self) -> None:
        super().__init__("gateway")
