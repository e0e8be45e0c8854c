"""SQL repository of password-reset tokens: only a SHA-256 digest of each token is kept, so the
table alone cannot reset anybody's password."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Column, Connection, ForeignKey, String, Table, delete, insert, select, update

from transactional.common.clock import iso
from transactional.common.db import metadata

reset_tokens = Table(
    "password_reset_tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user_id", String(32), ForeignKey("users.user_id"), nullable=False, index=True),
    Column("created_at", String(40), nullable=False),
    Column("expires_at", String(40), nullable=False),
    Column("used_at", String(40), nullable=True),
)


def token_digest(token: str) -> str:
    # A plain digest, not a slow hash: the token has 256 random bits, nothing to brute-force.
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class ResetToken:
    user_id: str
    expires_at: datetime
    used: bool


class ResetTokenRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def add(self, digest: str, user_id: str, now: datetime, expires_at: datetime) -> None:
        self.connection.execute(
            insert(reset_tokens),
            {
                "token_hash": digest,
                "user_id": user_id,
                "created_at": iso(now),
                "expires_at": iso(expires_at),
            },
        )

    def get(self, digest: str) -> ResetToken | None:
        row = self.connection.execute(
            select(reset_tokens).where(reset_tokens.c.token_hash == digest)
        ).first()
        if row is None:
            return None
        return ResetToken(
            row.user_id, datetime.fromisoformat(row.expires_at), row.used_at is not None
        )

    def use(self, digest: str, now: datetime) -> bool:
        """Spends the token; False if it was spent already (two confirms racing: one wins)."""
        result = self.connection.execute(
            update(reset_tokens)
            .where(reset_tokens.c.token_hash == digest, reset_tokens.c.used_at.is_(None))
            .values(used_at=iso(now))
        )
        return result.rowcount == 1

    def drop_unused(self, user_id: str) -> None:
        """Forgets every unspent token of the account: only the newest link works."""
        self.connection.execute(
            delete(reset_tokens).where(
                reset_tokens.c.user_id == user_id, reset_tokens.c.used_at.is_(None)
            )
        )
