"""HTTP entrypoints for accounts: register, log in, refresh, log out, who am I."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field, SecretStr

from transactional.cart.routes import CART_COOKIE, GuestCartCookie, GuestCartHeader, guest_cart_id
from transactional.common.text import NOT_BLANK
from transactional.gateway.identity import ActingUser, AuthDep, LoginGuardDep, StoreDep
from transactional.gateway.middleware import client_ip
from transactional.gateway.serialize import to_json
from transactional.users.auth import InvalidCredentials, TokenPair, WrongCurrentPassword
from transactional.users.domain import EMAIL_PATTERN, Role
from transactional.users.mfa import WrongOtp
from transactional.users.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH

auth_router = APIRouter(prefix="/api/auth", tags=["auth"])
users_router = APIRouter(prefix="/api/users", tags=["users"])

# SecretStr: a password never shows in a repr, a log line or a validation error.
Password = Field(min_length=MIN_PASSWORD_LENGTH, max_length=MAX_PASSWORD_LENGTH)


class Registration(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200, pattern=NOT_BLANK)
    email: str = Field(min_length=3, max_length=320, pattern=EMAIL_PATTERN)
    password: SecretStr = Password
    # Admins are made by operators, never through the public API.
    role: Literal["customer", "seller"] = "customer"


class Login(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: str = Field(min_length=1, max_length=320)
    password: SecretStr = Field(min_length=1, max_length=MAX_PASSWORD_LENGTH)
    # The authenticator's current code, for an account with MFA on (401 mfa_required without).
    # A code of the authenticator app, or one of the recovery codes given when MFA was turned on.
    otp: str | None = Field(default=None, pattern=r"^([0-9]{6}|[0-9a-f]{5}-[0-9a-f]{5})$")


class PasswordChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    current_password: SecretStr = Field(min_length=1, max_length=MAX_PASSWORD_LENGTH)
    new_password: SecretStr = Password


class Refresh(BaseModel):
    model_config = ConfigDict(extra="forbid")
    refresh_token: str = Field(min_length=1, max_length=4096)


def _tokens(pair: TokenPair) -> dict[str, Any]:
    return {
        "token_type": "bearer",
        "user_id": pair.user_id,
        "access_token": pair.access_token,
        "access_expires_at": to_json(pair.access_expires_at),
        "refresh_token": pair.refresh_token,
        "refresh_expires_at": to_json(pair.refresh_expires_at),
    }


@auth_router.post("/register", status_code=201)
def register(body: Registration, auth: AuthDep) -> dict[str, str]:
    user_id = auth.register(body.name, body.email, body.password.get_secret_value(), body.role)
    return {"user_id": user_id, "role": body.role}


@auth_router.post("/login")
def login(
    body: Login,
    auth: AuthDep,
    guard: LoginGuardDep,
    store: StoreDep,
    request: Request,
    response: Response,
    header: GuestCartHeader = None,
    cookie: GuestCartCookie = None,
) -> dict[str, Any]:
    """With a guest cart (`X-Cart-Id` or its cookie), a customer's login merges it into the
    customer's cart: `cart_merge` names the cart and what was capped by stock. Attempts are
    limited per client, and wrong passwords lock the account for a while (429, Retry-After).
    With MFA on, `otp` is needed too: 401 `mfa_required` without it; a wrong code counts
    towards the lock as a wrong password does."""
    guard.admit(client_ip(request.scope))
    guard.ensure_unlocked(body.email)
    try:
        pair = auth.login(body.email, body.password.get_secret_value(), body.otp)
    except (InvalidCredentials, WrongOtp):
        guard.failed(body.email)
        raise
    guard.succeeded(body.email)
    merge = None
    guest = guest_cart_id(header, cookie)
    if guest is not None and store.users.get(pair.user_id).role == Role.CUSTOMER:
        merge = store.cart.merge_guest(guest, pair.user_id)
        response.delete_cookie(CART_COOKIE)
    return {**_tokens(pair), "cart_merge": None if merge is None else to_json(merge)}


@auth_router.post("/refresh")
def refresh(body: Refresh, auth: AuthDep, guard: LoginGuardDep, request: Request) -> dict[str, Any]:
    guard.admit(client_ip(request.scope))
    return _tokens(auth.refresh(body.refresh_token))


@auth_router.post("/logout", status_code=204)
def logout(user: ActingUser, auth: AuthDep) -> Response:
    auth.logout(user.user_id)
    return Response(status_code=204)


@users_router.post("/me/password", status_code=204)
def change_password(
    body: PasswordChange, user: ActingUser, auth: AuthDep, guard: LoginGuardDep
) -> Response:
    """Every token of the account is revoked, this one too: log in again with the new password.
    Wrong current passwords count towards the account's lock, as wrong logins do."""
    guard.ensure_unlocked(user.email)
    try:
        auth.change_password(
            user, body.current_password.get_secret_value(), body.new_password.get_secret_value()
        )
    except WrongCurrentPassword:
        guard.failed(user.email)
        raise
    return Response(status_code=204)


@users_router.get("/me")
def me(user: ActingUser) -> Any:
    return to_json(user)
