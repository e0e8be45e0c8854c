"""The one middleware in front of every route: request id, load shedding, per-client rate limit,
body size limit, security headers, access log line. Plain ASGI (not BaseHTTPMiddleware): no
extra task per request on the hot order path."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from urllib.parse import parse_qsl

from anyio import to_thread
from fastapi import HTTPException
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from storeloop.request_ids import (
    REQUEST_ID_HEADER,
    accept_or_new,
    bind_request_id,
    unbind_request_id,
)
from storeloop.tracing import answered, server_span
from transactional.gateway.errors import GatewayErrorCode, error_response
from transactional.gateway.json_logs import ACCESS_LOGGER, FIELDS
from transactional.gateway.metrics import GatewayMetrics
from transactional.gateway.rate_limit import RateLimiter, Verdict
from transactional.users.tokens import Claims

access_log = logging.getLogger(ACCESS_LOGGER)
log = logging.getLogger(__name__)

# Load balancers and Prometheus poll them; limiting them would turn a busy client into a
# dead-looking gateway.
UNLIMITED_PATHS = frozenset({"/health", "/metrics"})

# On every answer: no MIME sniffing, no framing (clickjacking), no referrer leaving the store,
# and no copy kept by a browser or a shared proxy (answers name shoppers, carts and orders); a
# route that may be cached says so itself.
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
# JSON loads nothing; the interactive API docs load FastAPI's Swagger UI and ReDoc scripts.
API_CSP = "default-src 'none'; frame-ancestors 'none'"
DOCS_PATHS = ("/docs", "/redoc")
OVERLOADED_RETRY_AFTER_S = 1
# Only over TLS (RFC 6797: a browser ignores it on plain HTTP); a year, as preload lists ask.
HSTS = "max-age=31536000; includeSubDomains"


class GatewayMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        limiter: RateLimiter,
        token_claims: Callable[[str | None], tuple[str, Claims] | None],
        max_body_bytes: int,
        metrics: GatewayMetrics,
        max_in_flight: int = 200,
    ) -> None:
        self.app = app
        self.max_in_flight = max_in_flight
        self.in_flight = 0  # changed on the event loop only: no lock needed
        self.limiter = limiter
        self.token_claims = token_claims
        self.max_body_bytes = max_body_bytes
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        request_id = accept_or_new(headers.get(REQUEST_ID_HEADER))
        # Shared with request.state: `acting_user` refines user_id once the account is checked.
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        checked = self.token_claims(headers.get("authorization"))
        state["access_claims"] = checked
        state["user_id"] = checked[1].user_id if checked else None
        bound = bind_request_id(request_id)
        started = time.perf_counter()
        answer: dict[str, int | None] = {"status": None}
        verdict: Verdict | None = None  # set below, before any response starts

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                answer["status"] = message["status"]
                outgoing = MutableHeaders(scope=message)
                outgoing[REQUEST_ID_HEADER] = request_id
                for name, value in verdict.headers().items() if verdict else ():
                    outgoing[name] = value
                for name, value in security_headers(scope).items():
                    outgoing.setdefault(name, value)
            await send(message)

        shed = self.in_flight >= self.max_in_flight and scope["path"] not in UNLIMITED_PATHS
        self.in_flight += 1
        with server_span(scope, request_id) as span:
            try:
                verdict = None if shed else await self._verdict(scope, state["user_id"])
                if shed:
                    await self._overloaded()(scope, receive, send_with_id)
                elif verdict is not None and not verdict.allowed:
                    await self._refuse(verdict.retry_after_s)(scope, receive, send_with_id)
                elif declared_length(headers) > self.max_body_bytes:
                    await self._too_large()(scope, receive, send_with_id)
                elif (name := repeated_parameter(scope)) is not None:
                    await self._repeated(name)(scope, receive, send_with_id)
                else:
                    await self.app(scope, self._limited(receive), send_with_id)
            except Exception:  # noqa: BLE001 - every failure still gets the error format and its id
                log.exception("unhandled error")
                if answer["status"] is not None:
                    raise  # the response is half sent: nothing clean is left to answer
                failure = error_response(
                    500, GatewayErrorCode.INTERNAL_ERROR.value, "internal error"
                )
                await failure(scope, receive, send_with_id)
            finally:
                self.in_flight -= 1
                status = answer["status"] if answer["status"] is not None else 500
                seconds = time.perf_counter() - started
                self._log(scope, state, status, seconds)
                self.metrics.observe(scope, status, seconds)
                answered(span, scope, status)
                unbind_request_id(bound)

    async def _verdict(self, scope: Scope, user_id: str | None) -> Verdict | None:
        if scope["path"] in UNLIMITED_PATHS:
            return None
        client = f"user:{user_id}" if user_id else f"ip:{client_ip(scope)}"
        if self.limiter.cache.local:
            return self.limiter.check(client)  # a dict under a lock: a thread would cost more
        # In a thread: with Redis the bucket is a network round trip.
        return await to_thread.run_sync(self.limiter.check, client)

    @staticmethod
    def _refuse(retry_after: int):  # type: ignore[no-untyped-def]
        refusal = error_response(
            429,
            GatewayErrorCode.RATE_LIMITED.value,
            f"too many requests: retry in {retry_after} s",
        )
        return refusal  # Retry-After and X-RateLimit-* are added by send_with_id

    @staticmethod
    def _overloaded():  # type: ignore[no-untyped-def]
        refusal = error_response(
            503, GatewayErrorCode.OVERLOADED.value, "the gateway is overloaded: retry shortly"
        )
        refusal.headers["Retry-After"] = str(OVERLOADED_RETRY_AFTER_S)
        return refusal

    @property
    def _too_large_message(self) -> str:
        return f"the request body is over {self.max_body_bytes} bytes"

    def _too_large(self):  # type: ignore[no-untyped-def]
        return error_response(
            413, GatewayErrorCode.PAYLOAD_TOO_LARGE.value, self._too_large_message, "body"
        )

    @staticmethod
    def _repeated(name: str):  # type: ignore[no-untyped-def]
        return error_response(
            400,
            GatewayErrorCode.REPEATED_PARAMETER,
            f"query parameter {name} is given more than once",
            name,
        )

    def _limited(self, receive: Receive) -> Receive:
        """`receive` that refuses a body (e.g. chunked, with no length) once it grows too large."""
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    # FastAPI passes its own HTTPException from a body read through to the handlers.
                    raise HTTPException(413, self._too_large_message)
            return message

        return limited

    @staticmethod
    def _log(scope: Scope, state: dict, status: int, seconds: float) -> None:
        fields = {
            "method": scope["method"],
            "path": scope["path"],
            "status": status,
            "duration_ms": round(seconds * 1000, 3),
            "request_id": state["request_id"],
            "user_id": state.get("user_id"),
        }
        access_log.info("request", extra={FIELDS: fields})


def declared_length(headers: Headers) -> int:
    length = headers.get("content-length", "")
    return int(length) if length.isdigit() else 0


# Built once: the four combinations of (docs page, over TLS), looked up per answer.
_HEADERS_OF = {
    (docs, tls): {
        **SECURITY_HEADERS,
        **({} if docs else {"Content-Security-Policy": API_CSP}),
        **({"Strict-Transport-Security": HSTS} if tls else {}),
    }
    for docs in (False, True)
    for tls in (False, True)
}


def security_headers(scope: Scope) -> dict[str, str]:
    return _HEADERS_OF[scope["path"].startswith(DOCS_PATHS), scope.get("scheme") == "https"]


def client_ip(scope: Scope) -> str:
    # The direct peer: a proxy in front must be trusted explicitly (uvicorn --forwarded-allow-ips).
    client = scope.get("client")
    return client[0] if client else "unknown"


def repeated_parameter(scope: Scope) -> str | None:
    """The first query parameter named twice, if any. No route takes a list, and frameworks
    disagree on which of two values wins (ours took the last): a clear 400 instead (HTTP
    parameter pollution, ASVS 5.1.1)."""
    seen: set[str] = set()
    for name, _ in parse_qsl(
        scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True
    ):
        if name in seen:
            return name
        seen.add(name)
    return None
