"""Sandbox of the external analytics service: signed, idempotent batch intake over HTTP.

It behaves like the real one where the exporter can tell: HMAC-checked bodies (401), idempotent
`batch_id`s, optional latency and injected transient 503s, some of them after the batch was stored
(a lost acknowledgement), which only idempotency makes harmless.
"""

from __future__ import annotations

import asyncio
import hashlib
import random
import socket
import threading
import time
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlparse

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, ValidationError

from storeloop.settings import Settings
from warehouse.analytics_store import ReceivedBatches, StoreOutcome
from warehouse.errors import WarehouseError, WarehouseErrorCode
from warehouse.signing import SIGNATURE_HEADER, signature_is_valid


class IncomingBatch(BaseModel):
    batch_id: str = Field(min_length=8, max_length=128)
    dataset: str = Field(min_length=1, max_length=64)
    day: date
    index: int = Field(ge=0)
    rows: list[dict[str, Any]]


@dataclass
class Faults:
    """Test knobs: `failure_rate` of requests answer 503, half of them after storing the batch."""

    latency_s: float = 0.0
    failure_rate: float = 0.0
    seed: int | None = None


def create_receiver_app(settings: Settings, faults: Faults | None = None) -> FastAPI:
    faults = faults or Faults()
    store = ReceivedBatches(settings.analytics_dir / "received.sqlite")
    store.create()
    dice = random.Random(faults.seed)  # noqa: S311 - sandbox faults
    counters = {"rejected_signatures": 0, "injected_failures": 0}
    app = FastAPI(title="analytics sandbox")

    def error(status: int, code: str, message: str) -> JSONResponse:
        return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)

    @app.post("/v1/batches")
    async def receive_batch(request: Request) -> JSONResponse:
        body = await request.body()
        signature = request.headers.get(SIGNATURE_HEADER)
        if not signature_is_valid(body, settings.analytics_secret, signature):
            counters["rejected_signatures"] += 1
            return error(401, "bad_signature", f"missing or wrong {SIGNATURE_HEADER}")
        if faults.latency_s:
            await asyncio.sleep(faults.latency_s)
        roll = dice.random()
        fail_before = roll < faults.failure_rate / 2
        fail_after = not fail_before and roll < faults.failure_rate
        if fail_before:
            counters["injected_failures"] += 1
            return error(503, "unavailable", "injected transient failure")
        try:
            batch = IncomingBatch.model_validate_json(body)
        except ValidationError as invalid:
            return error(422, "invalid_batch", str(invalid.errors()[0]["msg"]))
        outcome = store.store(
            batch.batch_id, batch.dataset, batch.day.isoformat(), len(batch.rows),
            hashlib.sha256(body).hexdigest(), body.decode(),
        )  # fmt: skip
        if outcome is StoreOutcome.CONFLICT:
            return error(409, "batch_id_conflict", "batch_id already used for other content")
        if fail_after:
            counters["injected_failures"] += 1
            return error(503, "unavailable", "injected failure after storing (ack lost)")
        duplicate = outcome is StoreOutcome.DUPLICATE
        return JSONResponse(
            {"batch_id": batch.batch_id, "duplicate": duplicate, "rows": len(batch.rows)},
            status_code=200 if duplicate else 201,
        )

    @app.get("/v1/stats")
    def stats() -> dict[str, Any]:
        return {"batches": store.batch_count(), "rows": store.rows_per_dataset(), **counters}

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    return app


@dataclass
class ReceiverHandle:
    url: str
    server: uvicorn.Server
    thread: threading.Thread
    listening: socket.socket

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.listening.close()


def start_receiver(
    settings: Settings, port: int | None = None, faults: Faults | None = None
) -> ReceiverHandle:
    """Serve in a background thread. `port=None`: settings.analytics_url's port; 0: any free one."""
    address = urlparse(settings.analytics_url)
    host = address.hostname or "127.0.0.1"
    listening = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listening.bind((host, (address.port or 8787) if port is None else port))
    app = create_receiver_app(settings, faults)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [listening]}, name="analytics-receiver", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            listening.close()
            raise WarehouseError(WarehouseErrorCode.RECEIVER_NOT_STARTED, f"port {port}")
        time.sleep(0.02)
    return ReceiverHandle(f"http://{host}:{listening.getsockname()[1]}", server, thread, listening)
