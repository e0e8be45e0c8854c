"""SQL repository of second factors: each account's TOTP secret, whether it is on, and the last
time step a code was accepted for (a code is good once)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    ForeignKey,
    String,
    Table,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)

from transactional.common.clock import iso
from transactional.common.db import metadata

# The secret is stored as the authenticator app holds it (base32). A production deployment
# would encrypt it with a key from the environment (envelope encryption through a KMS), so that
# a copy of the database alone cannot mint codes; the embedded store keeps it plain.
user_mfa = Table(
    "user_mfa",
    metadata,
    Column("user_id", String(32), ForeignKey("users.user_id"), primary_key=True),
    Column("secret", String(64), nullable=False),
    Column("created_at", String(40), nullable=False),
    # NULL while enrolment waits for its first code.
    Column("enabled_at", String(40), nullable=True),
    Column("last_used_step", BigInteger, nullable=True),
)
# Codes for a lost authenticator, each good once; only their sha256 digests are kept.
mfa_recovery_codes = Table(
    "mfa_recovery_codes",
    metadata,
    Column("user_id", String(32), ForeignKey("users.user_id"), primary_key=True),
    Column("code_hash", String(64), primary_key=True),
    Column("created_at", String(40), nullable=False),
    Column("used_at", String(40), nullable=True),
)


@dataclass(frozen=True)
class SecondFactor:
    secret: str
    enabled: bool
    last_used_step: int | None


class MfaRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def get(self, user_id: str) -> SecondFactor | None:
        row = self.connection.execute(select(user_mfa).where(user_mfa.c.user_id == user_id)).first()
        if row is None:
            return None
        return SecondFactor(row.secret, row.enabled_at is not None, row.last_used_step)

    def start(self, user_id: str, secret: str, now: datetime) -> None:
        """A new pending secret replaces any earlier pending one."""
        self.connection.execute(delete(user_mfa).where(user_mfa.c.user_id == user_id))
        self.connection.execute(
            insert(user_mfa),
            {"user_id": user_id, "secret": secret, "created_at": iso(now)},
        )

    def enable(self, user_id: str, step: int, now: datetime) -> bool:
        """Turns the pending secret on, its first code spent; False if it was on already."""
        result = self.connection.execute(
            update(user_mfa)
            .where(user_mfa.c.user_id == user_id, user_mfa.c.enabled_at.is_(None))
            .values(enabled_at=iso(now), last_used_step=step)
        )
        return result.rowcount == 1

    def use_step(self, user_id: str, step: int) -> bool:
        """Spends the code of `step`: False when a code of this step or a later one was already
        accepted. Conditional, so of two logins racing with one code exactly one wins."""
        result = self.connection.execute(
            update(user_mfa)
            .where(
                user_mfa.c.user_id == user_id,
                or_(user_mfa.c.last_used_step.is_(None), user_mfa.c.last_used_step < step),
            )
            .values(last_used_step=step)
        )
        return result.rowcount == 1

    def replace_recovery_codes(self, user_id: str, digests: list[str], now: datetime) -> None:
        """A new set of recovery codes; the old set, used or not, is gone."""
        codes = mfa_recovery_codes
        self.connection.execute(delete(codes).where(codes.c.user_id == user_id))
        self.connection.execute(
            insert(codes),
            [{"user_id": user_id, "code_hash": d, "created_at": iso(now)} for d in digests],
        )

    def use_recovery_code(self, user_id: str, digest: str, now: datetime) -> bool:
        """Spends the code: False when it is unknown or spent. Conditional, like `use_step`."""
        codes = mfa_recovery_codes
        result = self.connection.execute(
            update(codes)
            .where(
                codes.c.user_id == user_id, codes.c.code_hash == digest, codes.c.used_at.is_(None)
            )
            .values(used_at=iso(now))
        )
        return result.rowcount == 1

    def recovery_codes_left(self, user_id: str) -> int:
        codes = mfa_recovery_codes
        found = select(func.count()).where(codes.c.user_id == user_id, codes.c.used_at.is_(None))
        return int(self.connection.execute(found).scalar_one())
