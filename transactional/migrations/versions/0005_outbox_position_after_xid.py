"""outbox positions after the transaction id (PostgreSQL): a transaction takes its id before its
position, so a reader that meets a gap knows which transactions could still fill it

Revision ID: 0005_outbox_position_after_xid
Revises: 0004_recommendation_channel
Create Date: 2026-12-03 08:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0005_outbox_position_after_xid"
down_revision: str | Sequence[str] | None = "0004_recommendation_channel"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A transaction gets its id at its first write, which for an event-only transaction is the
# outbox insert itself, after the column default has drawn the position: in between, a reader's
# snapshot would not know the transaction exists. Drawing the id first closes that window.
NEXT_POSITION = """
CREATE FUNCTION outbox_next_position() RETURNS integer LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM pg_current_xact_id();
    RETURN nextval('outbox_position_seq');
END
$$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite has one writer: positions commit in order
    op.execute(NEXT_POSITION)
    op.execute("ALTER TABLE outbox ALTER COLUMN position SET DEFAULT outbox_next_position()")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        "ALTER TABLE outbox ALTER COLUMN position SET DEFAULT nextval('outbox_position_seq')"
    )
    op.execute("DROP FUNCTION outbox_next_position()")
