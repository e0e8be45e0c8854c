"""Identifiers: numbered ids (`p-000123`, `c-000042`) from a sequence table, hex for the rest."""

from __future__ import annotations

import uuid

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    String,
    Table,
    bindparam,
    insert,
    select,
    update,
)

from transactional.common.db import metadata

id_sequences = Table(
    "id_sequences",
    metadata,
    Column("name", String(32), primary_key=True),
    Column("value", BigInteger, nullable=False),
)

SEQUENCES = {"product": "p", "customer": "c", "seller": "s", "admin": "a"}


def seed_sequences(connection: Connection) -> None:
    """Rows exist before the first writer needs them, so next_number is always a plain UPDATE."""
    present = set(connection.execute(select(id_sequences.c.name)).scalars())
    missing = [{"name": name, "value": 0} for name in SEQUENCES if name not in present]
    if missing:
        connection.execute(insert(id_sequences), missing)


_NEXT = (
    update(id_sequences)
    .where(id_sequences.c.name == bindparam("sequence"))
    .values(value=id_sequences.c.value + 1)
    .returning(id_sequences.c.value)
)


def next_number(connection: Connection, name: str) -> int:
    return connection.execute(_NEXT, {"sequence": name}).scalar_one()


_RESERVE = (
    update(id_sequences)
    .where(id_sequences.c.name == bindparam("sequence"), id_sequences.c.value < bindparam("taken"))
    .values(value=bindparam("taken"))
)


def reserve_numbered_id(connection: Connection, name: str, chosen_id: str) -> None:
    """A caller chose `p-000042` itself: move the sequence past 42 so it is never handed out."""
    prefix, _, number = chosen_id.partition("-")
    if prefix == SEQUENCES[name] and number.isdigit():
        connection.execute(_RESERVE, {"sequence": name, "taken": int(number)})


def numbered_id(connection: Connection, name: str) -> str:
    return f"{SEQUENCES[name]}-{next_number(connection, name):06d}"


def hex_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex}"
