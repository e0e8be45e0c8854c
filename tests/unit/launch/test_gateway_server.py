"""The gateway as `make up` serves it (uvicorn in a thread): over real HTTP it answers without
a `server` banner naming uvicorn, which the in-process test client would never show."""

from __future__ import annotations

import httpx

from launch.gateway_server import start_gateway
from storeloop.settings import Settings
from tests.integration.transactional.served import free_port


def test_no_server_banner(tmp_path):
    settings = Settings(data_dir=tmp_path, serving_port=9)
    gateway = start_gateway(settings, port=free_port())
    try:
        answer = httpx.get(f"{gateway.url}/health", timeout=10)
    finally:
        gateway.stop()
    assert answer.status_code == 200
    assert "server" not in answer.headers
    assert answer.headers["X-Content-Type-Options"] == "nosniff"


def test_metrics_report_every_consumers_lag(tmp_path):
    from prometheus_client.parser import text_string_to_metric_families

    from launch.consumers import CONSUMERS

    settings = Settings(data_dir=tmp_path, serving_port=9)
    account = {"name": "Lag Watcher", "email": "lag@example.com", "password": "a long passphrase"}
    gateway = start_gateway(settings, port=free_port())
    try:
        registered = httpx.post(f"{gateway.url}/api/auth/register", json=account, timeout=10)
        text = httpx.get(f"{gateway.url}/metrics", timeout=10).text
    finally:
        gateway.stop()
    assert registered.status_code == 201, registered.text
    lag = {
        (sample.name, sample.labels["consumer"]): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name.startswith("storeloop_consumer_lag")
    }
    # The registration's event is in the outbox, and no consumer has run.
    assert {consumer for _, consumer in lag} == set(CONSUMERS)
    assert all(lag[("storeloop_consumer_lag_events", c)] >= 1 for c in CONSUMERS), lag
