"""The outbox table read with SQLAlchemy Core, in position order, as `Event` envelopes."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import sqlalchemy as sa

from contracts.events import Event

# Declared here, not imported: consumers must not depend on the transactional ORM.
_metadata = sa.MetaData()
OUTBOX = sa.Table(
    "outbox",
    _metadata,
    sa.Column("position", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("event_id", sa.String, unique=True, nullable=False),
    sa.Column("type", sa.String, nullable=False),
    sa.Column("aggregate_id", sa.String, nullable=False),
    sa.Column("payload", sa.Text, nullable=False),
    sa.Column("occurred_at", sa.String, nullable=False),
)


def parse_occurred_at(text: str) -> datetime:
    """ISO 8601 to an aware UTC datetime; a naive stamp is taken as UTC."""
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


class OutboxFeed:
    """Reads events after a position; an absent outbox table reads as an empty log."""

    def __init__(self, db_url: str) -> None:
        self.db_url = db_url
        self._engine: sa.Engine | None = None

    @property
    def engine(self) -> sa.Engine:
        if self._engine is None:
            self._engine = sa.create_engine(self.db_url)
        return self._engine

    def read(self, after_position: int, limit: int) -> list[Event]:
        query = (
            sa.select(OUTBOX)
            .where(OUTBOX.c.position > after_position)
            .order_by(OUTBOX.c.position)
            .limit(limit)
        )
        with self.engine.connect() as connection:
            if not sa.inspect(connection).has_table("outbox"):
                return []
            rows = connection.execute(query).mappings().all()
        return [
            Event(
                type=row["type"],
                aggregate_id=row["aggregate_id"],
                payload=json.loads(row["payload"]),
                occurred_at=parse_occurred_at(row["occurred_at"]),
                event_id=row["event_id"],
                position=int(row["position"]),
            )
            for row in rows
        ]

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None
