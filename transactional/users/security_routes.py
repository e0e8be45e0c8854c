"""HTTP entrypoints for account security: password reset by email, and a second factor (TOTP)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field, SecretStr

from transactional.gateway.identity import (
    ActingUser,
    AuthDep,
    LoginGuardDep,
    RecoveryDep,
    ResetGuardDep,
)
from transactional.gateway.middleware import client_ip
from transactional.users.auth import WrongCurrentPassword
from transactional.users.domain import EMAIL_PATTERN
from transactional.users.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH

recovery_router = APIRouter(prefix="/api/auth", tags=["auth"])
mfa_router = APIRouter(prefix="/api/users", tags=["users"])

OTP_PATTERN = r"^[0-9]{6}$"
# The same answer for every address, known or not: nobody learns who has an account here.
RESET_ACCEPTED = {
    "status": "accepted",
    "message": "if an account has this address, a reset token is on its way to it",
}


class ResetRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: str = Field(min_length=3, max_length=320, pattern=EMAIL_PATTERN)


class ResetConfirmation(BaseModel):
    model_config = ConfigDict(extra="forbid")
    token: SecretStr = Field(min_length=1, max_length=200)
    new_password: SecretStr = Field(min_length=MIN_PASSWORD_LENGTH, max_length=MAX_PASSWORD_LENGTH)


class MfaStart(BaseModel):
    model_config = ConfigDict(extra="forbid")
    current_password: SecretStr = Field(min_length=1, max_length=MAX_PASSWORD_LENGTH)


class MfaConfirmation(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(pattern=OTP_PATTERN)


@recovery_router.post("/password-reset", status_code=202)
def ask_for_password_reset(
    body: ResetRequest, recovery: RecoveryDep, guard: ResetGuardDep, request: Request
) -> dict[str, str]:
    """Mails a reset token (valid for `STORE_PASSWORD_RESET_TTL_MINUTES`, 30 by default) to the
    account with this address, if there is one; the answer is the same either way. A few a
    client and a few an address per hour (429, Retry-After)."""
    guard.admit(client_ip(request.scope), body.email)
    recovery.request(body.email)
    return RESET_ACCEPTED


@recovery_router.post("/password-reset/confirm", status_code=204)
def reset_password(
    body: ResetConfirmation, recovery: RecoveryDep, guard: LoginGuardDep, request: Request
) -> Response:
    """Sets the new password (the same rules as a change), spends the token, revokes every
    token of the account and lifts a lock from wrong passwords. Unknown, replaced or used
    token: 401; expired: 410."""
    guard.admit(client_ip(request.scope))
    user = recovery.confirm(body.token.get_secret_value(), body.new_password.get_secret_value())
    guard.unlock(user.email)
    return Response(status_code=204)


@mfa_router.post("/me/mfa", status_code=201)
def start_mfa(
    body: MfaStart, user: ActingUser, auth: AuthDep, guard: LoginGuardDep
) -> dict[str, Any]:
    """Re-authenticates with the password (a stolen token alone cannot bind a thief's phone),
    then returns a new TOTP secret and its `otpauth://` URI for an authenticator app; MFA is
    on once a code from it is confirmed."""
    guard.ensure_unlocked(user.email)
    try:
        auth.ensure_password(user, body.current_password.get_secret_value())
    except WrongCurrentPassword:
        guard.failed(user.email)
        raise
    enrolment = auth.mfa.start(user)
    return {"secret": enrolment.secret, "otpauth_uri": enrolment.otpauth_uri}


@mfa_router.post("/me/mfa/confirm")
def confirm_mfa(body: MfaConfirmation, user: ActingUser, auth: AuthDep) -> dict[str, list[str]]:
    """Turns MFA on with a current code from the new secret and answers with 10 recovery codes,
    shown this once: each logs in once in `otp` when the authenticator is lost. Every token of
    the account is revoked, this one too: log in again with `otp`."""
    return {"recovery_codes": auth.mfa.confirm(user, body.code)}
