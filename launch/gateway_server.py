"""Runs the transactional gateway (FastAPI) with uvicorn in a background thread, or gives it to a
server that starts worker processes (`app_from_env`). Either way its /metrics also reports what
the platform around the store is doing: how far each outbox consumer is behind, and which DAG
tasks failed."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import uvicorn
from fastapi import FastAPI

from storeloop.heap import freeze_startup_heap
from storeloop.settings import Settings


@dataclass
class GatewayHandle:
    url: str
    server: uvicorn.Server
    thread: threading.Thread

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def platform_gateway(settings: Settings) -> FastAPI:
    """The store's gateway, its /metrics reporting the consumers' lag and the DAG's failures
    beside its own series, the sellers' sales read from the marts, and the web storefront at
    /shop calling its API."""
    from consumers.lag import ConsumerLagCollector
    from launch.consumers import checkpoint_names
    from storefront.app import MOUNT, create_storefront
    from storeloop.dag_failures import DagFailureCollector
    from transactional.gateway.app import create_app
    from warehouse.seller_sales import MartsSellerSales

    app = create_app(settings, seller_sales=MartsSellerSales(settings))
    app.mount(MOUNT, create_storefront(app, settings.jwt_secret))
    lag = ConsumerLagCollector(settings.db_url, settings.checkpoint_dir, checkpoint_names())
    app.state.metrics.register(lag)
    app.state.metrics.register(DagFailureCollector(settings))
    return app


def app_from_env() -> FastAPI:
    """`uvicorn --factory launch.gateway_server:app_from_env --workers N`: each worker builds
    its own app from the STORE_* environment."""
    app = platform_gateway(Settings())
    freeze_startup_heap()
    return app


def start_gateway(settings: Settings, port: int | None = None) -> GatewayHandle:
    port = port or settings.gateway_port
    config = uvicorn.Config(
        platform_gateway(settings),
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
