"""Credential recovery: a single-use reset token sent by email, good for a short while, that
sets a new password and revokes every token of the account. Asking never tells whether an
account exists: the answer is the same, only the mail differs."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from enum import StrEnum

from argon2 import PasswordHasher

from contracts import events
from transactional.common.clock import as_utc, iso
from transactional.common.errors import Gone, Unauthenticated
from transactional.common.uow import UnitOfWork
from transactional.users.domain import User
from transactional.users.mailer import Mailer, Message
from transactional.users.passwords import check_password_rules
from transactional.users.repository import CredentialRepository, UserRepository
from transactional.users.reset_tokens import ResetTokenRepository, token_digest

RESET_TTL = timedelta(minutes=30)
# An unknown, replaced or spent token authenticates nothing: 401, as a bad password is (and a
# schema-valid request refused otherwise would break the API's documented contract: 400 and
# 422 mean the request itself is wrong). An expired one is 410: it was good, and no longer is.


class RecoveryErrorCode(StrEnum):
    INVALID_RESET_TOKEN = "invalid_reset_token"  # noqa: S105 - an error code
    RESET_TOKEN_USED = "reset_token_used"  # noqa: S105 - an error code
    RESET_TOKEN_EXPIRED = "reset_token_expired"  # noqa: S105 - an error code


class InvalidResetToken(Unauthenticated):
    def __init__(self) -> None:
        super().__init__(
            RecoveryErrorCode.INVALID_RESET_TOKEN,
            "this reset token is unknown, or a newer one replaced it",
            "token",
        )


class ResetTokenUsed(Unauthenticated):
    def __init__(self) -> None:
        super().__init__(
            RecoveryErrorCode.RESET_TOKEN_USED, "this reset token was used already", "token"
        )


class ResetTokenExpired(Gone):
    def __init__(self) -> None:
        super().__init__(
            RecoveryErrorCode.RESET_TOKEN_EXPIRED,
            "this reset token has expired: ask for another",
            "token",
        )


class PasswordResetService:
    def __init__(
        self, uow: UnitOfWork, hasher: PasswordHasher, mailer: Mailer, ttl: timedelta = RESET_TTL
    ) -> None:
        self.uow = uow
        self.hasher = hasher
        self.mailer = mailer
        self.ttl = ttl

    def request(self, email: str) -> None:
        """For an account that can log in: a new token (older unused ones stop working), mailed
        once the commit holds. For any other address: nothing, and no sign of it."""
        email = email.strip().lower()
        token = secrets.token_urlsafe(32)
        with self.uow.begin() as tx:
            account = CredentialRepository(tx.connection).by_email(email)
            if account is None:
                return
            repo = ResetTokenRepository(tx.connection)
            repo.drop_unused(account.user_id)
            expires_at = tx.now + self.ttl
            repo.add(token_digest(token), account.user_id, tx.now, expires_at)
            message = _reset_message(email, token, expires_at)
            tx.after_commit(lambda: self.mailer.send(message))

    def confirm(self, token: str, new_password: str) -> User:
        """Spends the token, sets the new password (the same rules as a change), revokes every
        token of the account and records the reset, in one commit; returns the account."""
        digest = token_digest(token)
        with self.uow.read() as connection:
            found = ResetTokenRepository(connection).get(digest)
            user = UserRepository(connection).get(found.user_id) if found else None
        if found is None or user is None:
            raise InvalidResetToken()
        if found.used:
            raise ResetTokenUsed()
        if as_utc(self.uow.clock.now()) >= as_utc(found.expires_at):
            raise ResetTokenExpired()
        check_password_rules(new_password, user.name, user.email, field="new_password")
        password_hash = self.hasher.hash(new_password)  # slow on purpose: outside the transaction
        with self.uow.begin() as tx:
            repo = ResetTokenRepository(tx.connection)
            if not repo.use(digest, tx.now):
                raise ResetTokenUsed()
            repo.drop_unused(user.user_id)
            credentials = CredentialRepository(tx.connection)
            credentials.set_password(user.user_id, password_hash)
            credentials.revoke_all(user.user_id)
            tx.record(
                events.PASSWORD_RESET,
                user.user_id,
                {"customer_id": user.user_id, "email": user.email, "reset_at": iso(tx.now)},
            )
        return user


def _reset_message(email: str, token: str, expires_at: datetime) -> Message:
    return Message(
        to=email,
        subject="Reset your storeloop password",
        text=(
            "Someone asked to reset the password of this account. If it was you, send this "
            "token with a new password to POST /api/auth/password-reset/confirm before "
            f"{iso(expires_at)}:\n\ntoken: {token}\n\n"
            "If it was not you, ignore this message: your password stays as it is."
        ),
    )
