"""Who is acting: for now the `X-User-Id` header names an existing user (JWT comes later)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from fastapi import Depends, Header, Request

from transactional.bootstrap import Store
from transactional.common.errors import Unauthenticated
from transactional.users.domain import User, UserNotFound


class IdentityErrorCode(StrEnum):
    UNAUTHENTICATED = "unauthenticated"
    UNKNOWN_USER = "unknown_user"


def current_store(request: Request) -> Store:
    return request.app.state.store


def acting_user(
    store: Annotated[Store, Depends(current_store)],
    x_user_id: Annotated[str | None, Header()] = None,
) -> User:
    if not x_user_id:
        raise Unauthenticated(
            IdentityErrorCode.UNAUTHENTICATED, "X-User-Id header missing", "X-User-Id"
        )
    try:
        return store.users.get(x_user_id)
    except UserNotFound:
        raise Unauthenticated(
            IdentityErrorCode.UNKNOWN_USER, f"no user {x_user_id!r}", "X-User-Id"
        ) from None


StoreDep = Annotated[Store, Depends(current_store)]
ActingUser = Annotated[User, Depends(acting_user)]
