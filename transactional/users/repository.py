"""SQL repository of users."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Connection, String, Table, bindparam, insert, select

from transactional.common.clock import iso
from transactional.common.db import metadata
from transactional.users.domain import Role, User

users = Table(
    "users",
    metadata,
    Column("user_id", String(32), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("email", String(320), nullable=False, unique=True),
    Column("role", String(16), nullable=False),
    Column("registered_at", String(40), nullable=False),
)


# Built once: SQLAlchemy then reuses the compiled form instead of rebuilding it per call.
_INSERT = insert(users)
_BY_ID = select(users).where(users.c.user_id == bindparam("user_id"))
_BY_EMAIL = select(users.c.user_id).where(users.c.email == bindparam("email"))


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
        row = self.connection.execute(_BY_ID, {"user_id": user_id}).first()
        return _user(row) if row else None

    def email_taken(self, email: str) -> bool:
        return self.connection.execute(_BY_EMAIL, {"email": email}).first() is not None


def _user(row) -> User:  # type: ignore[no-untyped-def]
    return User(
        user_id=row.user_id,
        name=row.name,
        email=row.email,
        role=Role(row.role),
        registered_at=datetime.fromisoformat(row.registered_at),
    )
