"""Every serving request gets the caller's valid `X-Request-Id` (the gateway sends its own) or a
fresh one: bound for error bodies and logs, and sent back in the response header. A failure no
handler caught still answers in the error format, with the id, instead of a bare 500. Each answer
is counted and timed in the request metrics given (serving's /metrics), and traced as a span of
the caller's trace (storeloop.tracing)."""

from __future__ import annotations

import logging
import time
from typing import Any

from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from storeloop.request_ids import (
    REQUEST_ID_HEADER,
    accept_or_new,
    bind_request_id,
    current_request_id,
    unbind_request_id,
)
from storeloop.request_metrics import RequestMetrics
from storeloop.tracing import answered, server_span

log = logging.getLogger(__name__)


def error_body(code: str, message: str, field: str | None = None) -> dict[str, Any]:
    """The gateway's error format, request id included (the gateway's own, when it forwarded)."""
    request_id = current_request_id()
    return {"error": {"code": code, "message": message, "field": field, "request_id": request_id}}


class RequestIds:
    def __init__(self, app: ASGIApp, metrics: RequestMetrics | None = None) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = accept_or_new(Headers(scope=scope).get(REQUEST_ID_HEADER))
        bound = bind_request_id(request_id)
        began, answer = time.perf_counter(), {"status": 500}
        try:
            with server_span(scope, request_id) as span:
                try:
                    await self._answer(scope, receive, send, request_id, answer)
                finally:
                    answered(span, scope, answer["status"])
        finally:
            unbind_request_id(bound)
            if self.metrics is not None:
                self.metrics.observe(scope, answer["status"], time.perf_counter() - began)

    async def _answer(
        self, scope: Scope, receive: Receive, send: Send, request_id: str, answer: dict[str, int]
    ) -> None:
        started = False

        async def send_with_id(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started, answer["status"] = True, message["status"]
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:  # noqa: BLE001 - every failure still gets the error format and its id
            log.exception("unhandled error", extra={"request_id": request_id})
            if started:
                raise  # the response is half sent: nothing clean is left to answer
            failure = JSONResponse(error_body("internal_error", "internal error"), 500)
            await failure(scope, receive, send_with_id)
