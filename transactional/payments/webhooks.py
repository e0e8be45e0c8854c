"""Signed webhooks: HMAC-SHA256 over `timestamp.body` (the Stripe scheme), the checks a receiver
makes, and the sandbox providers' delivery queue, which delivers late, twice and out of order."""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from transactional.common.errors import DomainError, Unauthenticated

SIGNATURE_HEADER = "Storeloop-Signature"
TOLERANCE_S = 300  # a signed request older than this is a replay, whatever its signature


class WebhookErrorCode(StrEnum):
    UNSIGNED = "webhook_unsigned"
    BAD_SIGNATURE = "webhook_bad_signature"
    TOO_OLD = "webhook_too_old"
    MALFORMED = "webhook_malformed"


class WebhookUnsigned(Unauthenticated):
    def __init__(self, code: WebhookErrorCode, message: str) -> None:
        super().__init__(code, message, SIGNATURE_HEADER)


class WebhookRejected(DomainError):
    """Well signed but unusable (too old, not JSON): 400, and nothing is written."""


def sign(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify(
    secret: str, header: str | None, body: bytes, now: datetime, tolerance_s: int = TOLERANCE_S
) -> dict[str, Any]:
    """The decoded event when the signature is ours and fresh; raises otherwise."""
    if not header:
        raise WebhookUnsigned(WebhookErrorCode.UNSIGNED, f"{SIGNATURE_HEADER} header missing")
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    if not parts.get("t", "").isdigit() or "v1" not in parts:
        raise WebhookUnsigned(WebhookErrorCode.BAD_SIGNATURE, "signature header unreadable")
    expected = sign(secret, int(parts["t"]), body).split("v1=", 1)[1]
    if not hmac.compare_digest(expected, parts["v1"]):
        raise WebhookUnsigned(WebhookErrorCode.BAD_SIGNATURE, "signature does not match")
    # Checked after the signature, so an attacker cannot probe the window with forged stamps.
    if abs(now.timestamp() - int(parts["t"])) > tolerance_s:
        raise WebhookRejected(WebhookErrorCode.TOO_OLD, "timestamp outside tolerance", "t")
    try:
        event = json.loads(body)
    except ValueError as error:
        raise WebhookRejected(WebhookErrorCode.MALFORMED, f"not JSON: {error}", "body") from error
    if (
        not isinstance(event, dict)
        or not isinstance(event.get("id"), str)
        or not isinstance(event.get("type"), str)
        or not isinstance(event.get("data"), dict)
    ):
        raise WebhookRejected(
            WebhookErrorCode.MALFORMED, "needs id and type (strings) and data (object)", "body"
        )
    return event


# send(body, headers) delivers one request; what it answers does not matter to the sender.
Send = Callable[[bytes, dict[str, str]], object]


@dataclass
class DeliveryQueue:
    """Events a sandbox provider still owes the store. Each `deliver` round shuffles them, holds
    some back for a later round and sends some twice, all from one seeded generator."""

    secret: str
    seed: int = 0
    late_rate: float = 0.3
    duplicate_rate: float = 0.3

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)  # noqa: S311 - sandbox faults
        self._pending: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def publish(self, event_type: str, data: dict[str, Any], now: datetime) -> None:
        event = {
            "id": f"evt_{uuid.uuid4().hex}",
            "type": event_type,
            "created": int(now.timestamp()),
        }
        with self._lock:
            self._pending.append({**event, "data": data})

    @property
    def pending(self) -> int:
        return len(self._pending)

    def deliver(self, send: Send, now: datetime, flush: bool = False) -> int:
        """One delivery round (flush: nothing held back); returns requests sent."""
        with self._lock:
            batch, self._pending = self._pending, []
            self._random.shuffle(batch)
            held = [] if flush else [e for e in batch if self._random.random() < self.late_rate]
            due = [e for e in batch if e not in held]
            twice = [e for e in due if self._random.random() < self.duplicate_rate]
            self._pending.extend(held)
        sent = 0
        for event in due + twice:
            body = json.dumps(event, sort_keys=True).encode()
            send(body, {SIGNATURE_HEADER: sign(self.secret, int(now.timestamp()), body)})
            sent += 1
        return sent
