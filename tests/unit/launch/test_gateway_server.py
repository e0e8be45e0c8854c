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
