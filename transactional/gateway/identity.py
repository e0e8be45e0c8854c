"""Who is acting: the bearer access token names the user; the route's roles are checked here."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from transactional.bootstrap import Store
from transactional.common.errors import Unauthenticated
from transactional.gateway.policy import ensure_allowed
from transactional.users.auth import AuthService
from transactional.users.domain import User
from transactional.users.tokens import TokenKind, verify


class IdentityErrorCode(StrEnum):
    UNAUTHENTICATED = "unauthenticated"


def current_store(request: Request) -> Store:
    return request.app.state.store


def current_auth(request: Request) -> AuthService:
    return request.app.state.auth


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
    user = auth.authenticate(credentials.credentials)
    request.state.user_id = user.user_id  # the access log names the checked account
    route = request.scope.get("route")
    ensure_allowed(user, request.method, getattr(route, "path", request.url.path))
    return user


StoreDep = Annotated[Store, Depends(current_store)]
AuthDep = Annotated[AuthService, Depends(current_auth)]
ActingUser = Annotated[User, Depends(acting_user)]


def token_subject(auth: AuthService, authorization: str | None) -> str | None:
    """The user a well-signed, unexpired access token names, without touching the database: enough
    to key rate limits and logs; `acting_user` still checks revocation before anything is served."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        return None
    try:
        return verify(auth.keys, token.strip(), TokenKind.ACCESS, auth.uow.clock.now()).user_id
    except Unauthenticated:
        return None
