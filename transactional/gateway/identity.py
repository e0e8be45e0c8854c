"""Who is acting: the bearer access token names the user; the route's roles are checked here."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from transactional.bootstrap import Store
from transactional.common.errors import Unauthenticated
from transactional.gateway.policy import ensure_allowed
from transactional.users.auth import AuthService
from transactional.users.domain import User
from transactional.users.login_guard import LoginGuard
from transactional.users.recovery import PasswordResetService
from transactional.users.reset_guard import ResetGuard
from transactional.users.tokens import Claims


class IdentityErrorCode(StrEnum):
    UNAUTHENTICATED = "unauthenticated"


# The app-state getters are coroutines: FastAPI runs a plain `def` dependency in its thread pool,
# a hop (queue, thread wake-up, GIL hand-over) that costs more than the attribute read itself,
# and the order path has one or two of them per request.
async def current_store(request: Request) -> Store:
    return request.app.state.store


async def current_auth(request: Request) -> AuthService:
    return request.app.state.auth


async def current_login_guard(request: Request) -> LoginGuard:
    return request.app.state.login_guard


async def current_recovery(request: Request) -> PasswordResetService:
    return request.app.state.recovery


async def current_reset_guard(request: Request) -> ResetGuard:
    return request.app.state.reset_guard


# auto_error off: a missing header gets our error format, not FastAPI's 403.
bearer = HTTPBearer(auto_error=False, description="an access token from /api/auth/login")


def acting_user(
    request: Request,
    auth: Annotated[AuthService, Depends(current_auth)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> User:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthenticated(
            IdentityErrorCode.UNAUTHENTICATED,
            "Authorization: Bearer <token> missing",
            "Authorization",
        )
    # The middleware already checked this token's signature for the rate limit: reuse that.
    checked = request.scope.get("state", {}).get("access_claims")
    token = credentials.credentials
    claims = checked[1] if checked and checked[0] == token else None
    user = auth.authenticate(token, claims)
    request.state.user_id = user.user_id  # the access log names the checked account
    route = request.scope.get("route")
    ensure_allowed(user, request.method, getattr(route, "path", request.url.path))
    return user


def user_or_guest(
    request: Request,
    auth: Annotated[AuthService, Depends(current_auth)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> User | None:
    """Routes open to guests: no Authorization header is a guest (None); a header that is
    there must still be a valid token of a role the route allows."""
    if credentials is None:
        return None
    return acting_user(request, auth, credentials)


# `openapi_extra` of a route open to guests: its schema says the token is optional.
GUESTS_WELCOME: dict[str, Any] = {"security": [{}]}

StoreDep = Annotated[Store, Depends(current_store)]
AuthDep = Annotated[AuthService, Depends(current_auth)]
LoginGuardDep = Annotated[LoginGuard, Depends(current_login_guard)]
RecoveryDep = Annotated[PasswordResetService, Depends(current_recovery)]
ResetGuardDep = Annotated[ResetGuard, Depends(current_reset_guard)]
ActingUser = Annotated[User, Depends(acting_user)]
UserOrGuest = Annotated[User | None, Depends(user_or_guest)]


def token_claims(auth: AuthService, authorization: str | None) -> tuple[str, Claims] | None:
    """The token and what a well-signed, unexpired access token says, without touching the
    database: enough to key rate limits and logs; `acting_user` still checks revocation (and
    reuses these claims for the same token instead of checking the signature again)."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        return None
    try:
        return token.strip(), auth.verify_access(token.strip())
    except Unauthenticated:
        return None
