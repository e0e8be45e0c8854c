"""Runs the transactional gateway (FastAPI) with uvicorn in a background thread."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import uvicorn

from storeloop.settings import Settings


@dataclass
class GatewayHandle:
    url: str
    server: uvicorn.Server
    thread: threading.Thread

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def start_gateway(settings: Settings, port: int | None = None) -> GatewayHandle:
    from transactional.gateway.app import create_app

    port = port or settings.gateway_port
    config = uvicorn.Config(
        create_app(settings),
        host=settings.serving_host,
        port=port,
        log_level="warning",
        server_header=False,  # no version banner for a scanner to match (ASVS 14.3.3)
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="gateway", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError(f"gateway did not start on port {port}")
        time.sleep(0.05)
    return GatewayHandle(f"http://{settings.serving_host}:{port}", server, thread)
