"""JWT access and refresh tokens (HS256): issued and checked against the store's clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

import jwt

from storeloop.settings import DEV_JWT_SECRET
from transactional.common.errors import Unauthenticated

ALGORITHM = "HS256"
ACCESS_TTL = timedelta(minutes=15)
REFRESH_TTL = timedelta(days=14)


class TokenErrorCode(StrEnum):
    TOKEN_EXPIRED = "token_expired"  # noqa: S105 - an error code
    INVALID_TOKEN = "invalid_token"  # noqa: S105 - an error code
    TOKEN_REVOKED = "token_revoked"  # noqa: S105 - an error code


class TokenKind(StrEnum):
    ACCESS = "access"
    REFRESH = "refresh"


class TokenExpired(Unauthenticated):
    def __init__(self) -> None:
        super().__init__(TokenErrorCode.TOKEN_EXPIRED, "the token has expired", "Authorization")


class InvalidToken(Unauthenticated):
    def __init__(self, message: str) -> None:
        super().__init__(TokenErrorCode.INVALID_TOKEN, message, "Authorization")


class TokenRevoked(Unauthenticated):
    def __init__(self) -> None:
        super().__init__(TokenErrorCode.TOKEN_REVOKED, "the token was revoked", "Authorization")


@dataclass(frozen=True)
class TokenKeys:
    secret: str = DEV_JWT_SECRET  # deployments set STORE_JWT_SECRET (the gateway reads settings)
    access_ttl: timedelta = ACCESS_TTL
    refresh_ttl: timedelta = REFRESH_TTL


@dataclass(frozen=True)
class Claims:
    user_id: str
    kind: TokenKind
    version: int
    token_id: str
    expires_at: datetime


def issue(
    keys: TokenKeys, kind: TokenKind, user_id: str, version: int, token_id: str, now: datetime
) -> tuple[str, datetime]:
    ttl = keys.access_ttl if kind is TokenKind.ACCESS else keys.refresh_ttl
    expires_at = now + ttl
    claims = {
        "sub": user_id,
        "typ": kind.value,
        "ver": version,
        "jti": token_id,
        "iat": int(now.timestamp()),
        "exp": int(expires_at.timestamp()),
    }
    return jwt.encode(claims, keys.secret, algorithm=ALGORITHM), expires_at


def verify(keys: TokenKeys, token: str, kind: TokenKind, now: datetime) -> Claims:
    """Signature and shape first, then expiry against `now`: the store's clock, maybe simulated,
    so PyJWT's own wall-clock exp check is off."""
    try:
        raw: dict[str, Any] = jwt.decode(
            token,
            keys.secret,
            algorithms=[ALGORITHM],
            options={"verify_exp": False, "require": ["sub", "typ", "ver", "jti", "exp"]},
        )
    except jwt.PyJWTError as error:
        raise InvalidToken(f"not a valid token: {type(error).__name__}") from None
    if raw["typ"] != kind.value or not isinstance(raw["ver"], int):
        raise InvalidToken(f"expected a {kind.value} token")
    if not isinstance(raw["exp"], int | float) or now.timestamp() >= raw["exp"]:
        raise TokenExpired()
    expires_at = datetime.fromtimestamp(raw["exp"], tz=now.tzinfo)
    return Claims(str(raw["sub"]), kind, raw["ver"], str(raw["jti"]), expires_at)


class CheckedTokens:
    """Access tokens whose signature and shape were already checked, with what they say: a
    signed request checks the same token dozens of times in its fifteen minutes, and the HMAC,
    base64 and JSON work of a check is a sizeable share of a request's CPU. Expiry is still
    checked on every use, and revocation is the caller's (the database's token version).
    Bounded: when full it starts again empty."""

    def __init__(self, keys: TokenKeys, capacity: int = 10_000) -> None:
        self.keys = keys
        self.capacity = capacity
        self._claims: dict[str, Claims] = {}

    def verify(self, token: str, now: datetime) -> Claims:
        claims = self._claims.get(token)
        if claims is None:
            claims = verify(self.keys, token, TokenKind.ACCESS, now)
            if len(self._claims) >= self.capacity:
                self._claims = {}
            self._claims[token] = claims
        elif now >= claims.expires_at:
            raise TokenExpired()
        return claims
