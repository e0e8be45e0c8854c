"""Login, refresh (rotated on use), logout and bearer-token checks, all against the database so
that revocation holds across every gateway process."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from argon2 import PasswordHasher
from sqlalchemy import Connection

from contracts import events
from transactional.common.clock import iso
from transactional.common.errors import Forbidden, Invalid, Unauthenticated
from transactional.common.uow import UnitOfWork
from transactional.users.domain import User
from transactional.users.mfa import MfaService
from transactional.users.passwords import check_password_rules, password_matches
from transactional.users.repository import CredentialRepository
from transactional.users.service import UserService
from transactional.users.tokens import (
    CheckedTokens,
    Claims,
    InvalidToken,
    TokenKeys,
    TokenKind,
    TokenRevoked,
    issue,
    verify,
)


class AuthErrorCode(StrEnum):
    INVALID_CREDENTIALS = "invalid_credentials"
    WRONG_PASSWORD = "wrong_password"  # noqa: S105 - an error code
    SAME_PASSWORD = "same_password"  # noqa: S105 - an error code


class InvalidCredentials(Unauthenticated):
    def __init__(self) -> None:
        # One message for an unknown email and a wrong password: no account probing.
        super().__init__(AuthErrorCode.INVALID_CREDENTIALS, "wrong email or password", "password")


class WrongCurrentPassword(Forbidden):
    def __init__(self) -> None:
        super().__init__(
            AuthErrorCode.WRONG_PASSWORD, "the current password is wrong", "current_password"
        )


class SamePassword(Invalid):
    def __init__(self) -> None:
        super().__init__(
            AuthErrorCode.SAME_PASSWORD, "the new password is the current one", "new_password"
        )


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    access_expires_at: datetime
    refresh_token: str
    refresh_expires_at: datetime
    user_id: str


class AuthService:
    def __init__(self, uow: UnitOfWork, keys: TokenKeys, hasher: PasswordHasher) -> None:
        self.uow = uow
        self.keys = keys
        self.checked = CheckedTokens(keys)
        self.hasher = hasher
        self.users = UserService(uow, hasher)
        self.mfa = MfaService(uow)
        # Verified when the email is unknown, so both failures take the same time.
        self._decoy_hash = hasher.hash(secrets.token_urlsafe(16))

    def register(self, name: str, email: str, password: str, role: str = "customer") -> str:
        return self.users.register(name, email, role, password=password)

    def login(self, email: str, password: str, otp: str | None = None) -> TokenPair:
        """The password, then, for an account with MFA on, the one-time code (MfaRequired
        without one, WrongOtp for a wrong or spent one)."""
        with self.uow.read() as connection:
            account = CredentialRepository(connection).by_email(email.strip().lower())
        stored = account.password_hash if account else self._decoy_hash
        if not password_matches(self.hasher, stored, password) or account is None:
            raise InvalidCredentials()
        with self.uow.begin() as tx:
            self.mfa.check_login(tx.connection, account.user_id, otp, tx.now)
            return self._issue_pair(tx.connection, account.user_id, account.token_version, tx.now)

    def refresh(self, refresh_token: str) -> TokenPair:
        """The old refresh token is spent. Presenting it again means it leaked: every token of
        that user is revoked (committed first), then the caller is refused."""
        claims = verify(self.keys, refresh_token, TokenKind.REFRESH, self.uow.clock.now())
        with self.uow.begin() as tx:
            repo = CredentialRepository(tx.connection)
            if repo.token_version(claims.user_id) != claims.version:
                raise TokenRevoked()
            replayed = not repo.use_refresh(claims.token_id, tx.now)
            if replayed:
                repo.revoke_all(claims.user_id)
            else:
                pair = self._issue_pair(tx.connection, claims.user_id, claims.version, tx.now)
        if replayed:
            raise TokenRevoked()
        return pair

    def change_password(self, user: User, current: str, new: str) -> None:
        """Checks the current password, then the new one's rules; stores the new hash, revokes
        every token of the account (a thief's included) and records the change, in one commit."""
        self.ensure_password(user, current)
        if new == current:
            raise SamePassword()
        check_password_rules(new, user.name, user.email, field="new_password")
        password_hash = self.hasher.hash(new)  # slow on purpose: outside the transaction
        with self.uow.begin() as tx:
            repo = CredentialRepository(tx.connection)
            repo.set_password(user.user_id, password_hash)
            repo.revoke_all(user.user_id)
            tx.record(
                events.PASSWORD_CHANGED,
                user.user_id,
                {"customer_id": user.user_id, "email": user.email, "changed_at": iso(tx.now)},
            )

    def ensure_password(self, user: User, password: str) -> None:
        """Re-authentication before a sensitive change: WrongCurrentPassword unless it matches."""
        with self.uow.read() as connection:
            account = CredentialRepository(connection).by_email(user.email)
        if account is None or not password_matches(self.hasher, account.password_hash, password):
            raise WrongCurrentPassword()

    def logout(self, user_id: str) -> None:
        """Revokes every access and refresh token the user holds, on every device."""
        with self.uow.begin() as tx:
            CredentialRepository(tx.connection).revoke_all(user_id)

    def authenticate(self, access_token: str, claims: Claims | None = None) -> User:
        """`claims`: what `verify` already made of this very token (the gateway checks the
        signature once per request); the revocation check always asks the database."""
        claims = claims or self.verify_access(access_token)
        with self.uow.read() as connection:
            account = CredentialRepository(connection).account(claims.user_id)
        if account is None:
            raise InvalidToken("the token names no account")
        user, version = account
        if version != claims.version:
            raise TokenRevoked()
        return user

    def verify_access(self, access_token: str) -> Claims:
        """Signature, kind and expiry only: no database."""
        return self.checked.verify(access_token, self.uow.clock.now())

    def _issue_pair(
        self, connection: Connection, user_id: str, version: int, now: datetime
    ) -> TokenPair:
        access, access_expires = issue(
            self.keys, TokenKind.ACCESS, user_id, version, secrets.token_hex(16), now
        )
        refresh_id = secrets.token_hex(16)
        refresh, refresh_expires = issue(
            self.keys, TokenKind.REFRESH, user_id, version, refresh_id, now
        )
        CredentialRepository(connection).add_refresh(refresh_id, user_id, refresh_expires)
        return TokenPair(access, access_expires, refresh, refresh_expires, user_id)
