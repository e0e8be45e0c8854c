"""Time-based one-time passwords (RFC 6238 over RFC 4226's HOTP), standard library only: what an
authenticator app computes from the secret its QR code carried."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
from urllib.parse import quote, urlencode

STEP_S = 30
DIGITS = 6
# Steps either side of now that still count: a phone's clock a little off, a code typed late.
WINDOW = 1


def new_secret() -> str:
    """160 random bits (RFC 4226's recommended length), base32 as authenticator apps take it."""
    return base64.b32encode(secrets.token_bytes(20)).decode()


def secret_bytes(secret_b32: str) -> bytes:
    padded = secret_b32.upper() + "=" * (-len(secret_b32) % 8)
    return base64.b32decode(padded)


def hotp(key: bytes, counter: int, digits: int = DIGITS) -> str:
    """RFC 4226 section 5.3: HMAC-SHA1 of the counter, dynamically truncated."""
    mac = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    number = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10**digits).zfill(digits)


def step_at(unix_s: float) -> int:
    return int(unix_s // STEP_S)


def totp(key: bytes, unix_s: float, digits: int = DIGITS) -> str:
    return hotp(key, step_at(unix_s), digits)


def matching_step(key: bytes, code: str, unix_s: float, window: int = WINDOW) -> int | None:
    """The time step whose code `code` is, within `window` steps of now; None if none is. Every
    step of the window is compared in constant time, so timing tells nothing either."""
    now = step_at(unix_s)
    found = None
    for step in range(now - window, now + window + 1):
        if hmac.compare_digest(hotp(key, step, len(code) or DIGITS), code) and found is None:
            found = step
    return found


def provisioning_uri(secret_b32: str, account: str, issuer: str) -> str:
    """The `otpauth://` URI authenticator apps read from a QR code (Google's Key Uri Format)."""
    label = quote(f"{issuer}:{account}", safe=":@")
    query = urlencode(
        {
            "secret": secret_b32,
            "issuer": issuer,
            "algorithm": "SHA1",
            "digits": DIGITS,
            "period": STEP_S,
        }
    )
    return f"otpauth://totp/{label}?{query}"
