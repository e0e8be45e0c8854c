"""SQL repository of users, their password hashes and their refresh tokens."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Column,
    Connection,
    ForeignKey,
    Integer,
    String,
    Table,
    bindparam,
    insert,
    select,
    update,
)

from transactional.common.clock import iso
from transactional.common.db import metadata
from transactional.common.driver_sql import DriverStatement
from transactional.users.domain import Role, User
from transactional.users.mfa_repository import user_mfa

users = Table(
    "users",
    metadata,
    Column("user_id", String(32), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("email", String(320), nullable=False, unique=True),
    Column("role", String(16), nullable=False),
    Column("registered_at", String(40), nullable=False),
)

# Simulated accounts have no row here: they exist for the loop but cannot log in over HTTP.
credentials = Table(
    "user_credentials",
    metadata,
    Column("user_id", String(32), ForeignKey("users.user_id"), primary_key=True),
    Column("password_hash", String(200), nullable=False),
    # Logout bumps it: every token carries the version it was issued under.
    Column("token_version", Integer, nullable=False),
)

refresh_tokens = Table(
    "refresh_tokens",
    metadata,
    Column("token_id", String(40), primary_key=True),
    Column("user_id", String(32), ForeignKey("users.user_id"), nullable=False, index=True),
    Column("expires_at", String(40), nullable=False),
    Column("used_at", String(40), nullable=True),
)

# Built once: SQLAlchemy then reuses the compiled form instead of rebuilding it per call.
_INSERT = insert(users)
_BY_ID = DriverStatement(select(users).where(users.c.user_id == bindparam("user_id")))
_BY_EMAIL = select(users.c.user_id).where(users.c.email == bindparam("email"))


_CREDENTIALS = select(credentials).where(credentials.c.user_id == bindparam("user_id"))
# The account and its token version in one round trip: every authenticated request runs it.
_ACCOUNT = DriverStatement(
    select(users, credentials.c.token_version, user_mfa.c.enabled_at.label("mfa_enabled_at"))
    .join(credentials, credentials.c.user_id == users.c.user_id)
    .outerjoin(user_mfa, user_mfa.c.user_id == users.c.user_id)
    .where(users.c.user_id == bindparam("user_id"))
)
_LOGIN = select(users.c.user_id, credentials.c.password_hash, credentials.c.token_version).join(
    credentials, credentials.c.user_id == users.c.user_id
)
_BUMP_VERSION = (
    update(credentials)
    .where(credentials.c.user_id == bindparam("b_user_id"))
    .values(token_version=credentials.c.token_version + 1)
)
# Conditional: of two refreshes racing with one token, exactly one sees a row change.
_USE_REFRESH = (
    update(refresh_tokens)
    .where(refresh_tokens.c.token_id == bindparam("b_token_id"), refresh_tokens.c.used_at.is_(None))
    .values(used_at=bindparam("b_used_at"))
)


class UserRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def add(self, user: User) -> None:
        self.connection.execute(
            _INSERT,
            {
                "user_id": user.user_id,
                "name": user.name,
                "email": user.email,
                "role": user.role.value,
                "registered_at": iso(user.registered_at),
            },
        )

    def get(self, user_id: str) -> User | None:
        row = _BY_ID.execute(self.connection, {"user_id": user_id}).first()
        return _user(row) if row else None

    def email_taken(self, email: str) -> bool:
        return self.connection.execute(_BY_EMAIL, {"email": email}).first() is not None


class CredentialRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def add(self, user_id: str, password_hash: str) -> None:
        self.connection.execute(
            insert(credentials),
            {"user_id": user_id, "password_hash": password_hash, "token_version": 0},
        )

    def by_email(self, email: str):  # type: ignore[no-untyped-def]
        """(user_id, password_hash, token_version) of the account that may log in, or None."""
        return self.connection.execute(_LOGIN.where(users.c.email == email)).first()

    def token_version(self, user_id: str) -> int | None:
        row = self.connection.execute(_CREDENTIALS, {"user_id": user_id}).first()
        return row.token_version if row else None

    def account(self, user_id: str) -> tuple[User, int] | None:
        """The user who may log in and their current token version, or None."""
        row = _ACCOUNT.execute(self.connection, {"user_id": user_id}).first()
        return (_user(row), row.token_version) if row else None

    def set_password(self, user_id: str, password_hash: str) -> None:
        self.connection.execute(
            update(credentials)
            .where(credentials.c.user_id == user_id)
            .values(password_hash=password_hash)
        )

    def revoke_all(self, user_id: str) -> None:
        self.connection.execute(_BUMP_VERSION, {"b_user_id": user_id})

    def add_refresh(self, token_id: str, user_id: str, expires_at: datetime) -> None:
        self.connection.execute(
            insert(refresh_tokens),
            {"token_id": token_id, "user_id": user_id, "expires_at": iso(expires_at)},
        )

    def use_refresh(self, token_id: str, now: datetime) -> bool:
        """Marks the refresh token used; False if it never existed or was used before."""
        result = self.connection.execute(
            _USE_REFRESH, {"b_token_id": token_id, "b_used_at": iso(now)}
        )
        return result.rowcount == 1


def _user(row) -> User:  # type: ignore[no-untyped-def]
    return User(
        user_id=row.user_id,
        name=row.name,
        email=row.email,
        role=Role(row.role),
        registered_at=datetime.fromisoformat(row.registered_at),
        mfa_enabled=getattr(row, "mfa_enabled_at", None) is not None,
    )
