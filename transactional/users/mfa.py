"""A second factor: TOTP enrolment (a secret, then its first code) and the code check at login.
Turning it on revokes every token, so every session of an account with MFA passed a code."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Connection

from contracts import events
from transactional.common.clock import iso
from transactional.common.errors import Conflict, Forbidden, Invalid, Unauthenticated
from transactional.common.uow import UnitOfWork
from transactional.users import totp
from transactional.users.domain import User
from transactional.users.mfa_repository import MfaRepository
from transactional.users.repository import CredentialRepository

ISSUER = "storeloop"
RECOVERY_CODES = 10
# Ten hex characters in two groups (40 bits each): typed by hand from a printout, never a TOTP.
RECOVERY_CODE = re.compile(r"^[0-9a-f]{5}-[0-9a-f]{5}$")


class MfaErrorCode(StrEnum):
    MFA_REQUIRED = "mfa_required"
    INVALID_OTP = "invalid_otp"
    MFA_ALREADY_ENABLED = "mfa_already_enabled"
    MFA_NOT_STARTED = "mfa_not_started"


class MfaRequired(Unauthenticated):
    def __init__(self) -> None:
        super().__init__(
            MfaErrorCode.MFA_REQUIRED, "this account needs its one-time code: send `otp`", "otp"
        )


class WrongOtp(Unauthenticated):
    """At login: counts towards the account's lock, as a wrong password does."""

    def __init__(self) -> None:
        super().__init__(MfaErrorCode.INVALID_OTP, "wrong or already used one-time code", "otp")


class WrongEnrolmentCode(Invalid):
    def __init__(self) -> None:
        super().__init__(MfaErrorCode.INVALID_OTP, "wrong one-time code", "code")


class AdminMfaRequired(Forbidden):
    def __init__(self) -> None:
        super().__init__(
            MfaErrorCode.MFA_REQUIRED,
            "administrators turn on MFA before anything else: POST /api/users/me/mfa",
            "otp",
        )


class MfaAlreadyEnabled(Conflict):
    def __init__(self) -> None:
        super().__init__(MfaErrorCode.MFA_ALREADY_ENABLED, "MFA is already on", "code")


class MfaNotStarted(Conflict):
    def __init__(self) -> None:
        super().__init__(
            MfaErrorCode.MFA_NOT_STARTED, "no enrolment to confirm: POST /api/users/me/mfa", "code"
        )


@dataclass(frozen=True)
class Enrolment:
    secret: str
    otpauth_uri: str


class MfaService:
    def __init__(self, uow: UnitOfWork, issuer: str = ISSUER) -> None:
        self.uow = uow
        self.issuer = issuer

    def start(self, user: User) -> Enrolment:
        """A new secret, pending until a code from it is confirmed; again: another secret."""
        secret = totp.new_secret()
        with self.uow.begin() as tx:
            repo = MfaRepository(tx.connection)
            found = repo.get(user.user_id)
            if found is not None and found.enabled:
                raise MfaAlreadyEnabled()
            repo.start(user.user_id, secret, tx.now)
        return Enrolment(secret, totp.provisioning_uri(secret, user.email, self.issuer))

    def confirm(self, user: User, code: str) -> list[str]:
        """Turns MFA on with the first good code (spent by it), revokes every token of the
        account and records the change, in one commit; returns the recovery codes, shown this
        once (for a lost authenticator: each logs in once in place of a code)."""
        recovery = [_recovery_code() for _ in range(RECOVERY_CODES)]
        with self.uow.begin() as tx:
            repo = MfaRepository(tx.connection)
            found = repo.get(user.user_id)
            if found is None:
                raise MfaNotStarted()
            if found.enabled:
                raise MfaAlreadyEnabled()
            step = totp.matching_step(totp.secret_bytes(found.secret), code, _unix(tx.now))
            if step is None:
                raise WrongEnrolmentCode()
            repo.enable(user.user_id, step, tx.now)
            repo.replace_recovery_codes(user.user_id, [_digest(c) for c in recovery], tx.now)
            CredentialRepository(tx.connection).revoke_all(user.user_id)
            tx.record(
                events.MFA_ENABLED,
                user.user_id,
                {"customer_id": user.user_id, "email": user.email, "enabled_at": iso(tx.now)},
            )
        return recovery

    @staticmethod
    def check_login(connection: Connection, user_id: str, code: str | None, now: datetime) -> None:
        """Inside the login's transaction: nothing to check without MFA; else the code must be
        good now and not spent (its step is spent here, rolled back with the login), or be one
        of the account's unspent recovery codes (spent the same way)."""
        repo = MfaRepository(connection)
        found = repo.get(user_id)
        if found is None or not found.enabled:
            return
        if code is None:
            raise MfaRequired()
        if RECOVERY_CODE.match(code):
            if not repo.use_recovery_code(user_id, _digest(code), now):
                raise WrongOtp()
            return
        step = totp.matching_step(totp.secret_bytes(found.secret), code, _unix(now))
        if step is None or not repo.use_step(user_id, step):
            raise WrongOtp()


def _recovery_code() -> str:
    raw = secrets.token_hex(5)
    return f"{raw[:5]}-{raw[5:]}"


def _digest(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def _unix(moment: datetime) -> float:
    return moment.timestamp()
