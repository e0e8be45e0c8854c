"""Webhook events already applied, per provider: a redelivered event id is answered, not redone."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Connection, String, Table, insert, select
from sqlalchemy.exc import IntegrityError

from transactional.common.clock import iso
from transactional.common.db import metadata

webhook_receipts = Table(
    "webhook_receipts",
    metadata,
    Column("provider", String(16), primary_key=True),
    Column("event_id", String(64), primary_key=True),
    Column("event_type", String(40), nullable=False),
    Column("received_at", String(40), nullable=False),
)


class ReceiptRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def seen(self, provider: str, event_id: str) -> bool:
        query = select(webhook_receipts.c.event_id).where(
            webhook_receipts.c.provider == provider, webhook_receipts.c.event_id == event_id
        )
        return self.connection.execute(query).first() is not None

    def add(self, provider: str, event_id: str, event_type: str, now: datetime) -> bool:
        """False when a concurrent delivery of the same event got there first."""
        row = {"provider": provider, "event_id": event_id, "event_type": event_type}
        try:
            with self.connection.begin_nested():
                self.connection.execute(insert(webhook_receipts), {**row, "received_at": iso(now)})
        except IntegrityError:
            return False
        return True
