"""Request ids: a client's valid `X-Request-Id` is kept, otherwise one is made; every log line and
error body of that request carries it (a context variable, so sync routes in threads see it too)."""

from __future__ import annotations

import secrets
from contextvars import ContextVar

REQUEST_ID_HEADER = "X-Request-Id"
MAX_REQUEST_ID_LENGTH = 128

_current: ContextVar[str | None] = ContextVar("request_id", default=None)


def accept_or_new(incoming: str | None) -> str:
    """The client's id when it is 1..128 printable ASCII characters, else a fresh one: a
    malformed id is replaced, never refused, so tracing cannot break a request."""
    if incoming and len(incoming) <= MAX_REQUEST_ID_LENGTH and _printable(incoming):
        return incoming
    return secrets.token_hex(16)


def _printable(text: str) -> bool:
    # ASCII only, no spaces or control characters: the id goes back out in a header and in logs.
    return all("!" <= char <= "~" for char in text)


def current_request_id() -> str | None:
    return _current.get()


def bind_request_id(request_id: str) -> object:
    return _current.set(request_id)


def unbind_request_id(token: object) -> None:
    _current.reset(token)  # type: ignore[arg-type]
