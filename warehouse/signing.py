"""HMAC-SHA256 request signing shared by the analytics client and its sandbox receiver."""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "X-Analytics-Signature"
_SCHEME = "sha256="


def sign(body: bytes, secret: str) -> str:
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return _SCHEME + digest


def signature_is_valid(body: bytes, secret: str, signature: str | None) -> bool:
    # constant-time comparison, so the signature cannot be guessed byte by byte
    return signature is not None and hmac.compare_digest(sign(body, secret), signature)
