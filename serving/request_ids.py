"""Every serving request gets the caller's valid `X-Request-Id` (the gateway sends its own) or a
fresh one: bound for error bodies and logs, and sent back in the response header. A failure no
handler caught still answers in the error format, with the id, instead of a bare 500."""

from __future__ import annotations

import json
import logging

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from storeloop.request_ids import (
    REQUEST_ID_HEADER,
    accept_or_new,
    bind_request_id,
    unbind_request_id,
)

log = logging.getLogger(__name__)


class RequestIds:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = accept_or_new(Headers(scope=scope).get(REQUEST_ID_HEADER))
        bound = bind_request_id(request_id)
        started = False

        async def send_with_id(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:  # noqa: BLE001 - every failure still gets the error format and its id
            log.exception("unhandled error", extra={"request_id": request_id})
            if started:
                raise  # the response is half sent: nothing clean is left to answer
            await _internal_error(request_id, send_with_id)
        finally:
            unbind_request_id(bound)


async def _internal_error(request_id: str, send: Send) -> None:
    error = {"code": "internal_error", "message": "internal error", "field": None,
             "request_id": request_id}  # fmt: skip
    body = json.dumps({"error": error}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 500, "headers": headers})
    await send({"type": "http.response.body", "body": body})
