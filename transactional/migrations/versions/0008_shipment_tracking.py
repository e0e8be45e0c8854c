"""shipment tracking: every carrier report of a shipment, for the order's tracking page

Shipments made before this revision get their history from what the shipments table knows:
the booking at its creation time, and the status it reached at its last update.

Revision ID: 0008_shipment_tracking
Revises: 0007_category_tree_and_reviews
Create Date: 2026-12-05 21:45:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_shipment_tracking"
down_revision: str | Sequence[str] | None = "0007_category_tree_and_reviews"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "shipment_tracking",
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("order_id", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("occurred_at", sa.String(length=40), nullable=False),
        sa.Column("received_at", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_shipment_tracking")),
    )
    op.create_index(
        op.f("ix_shipment_tracking_order_id"), "shipment_tracking", ["order_id"], unique=False
    )
    op.execute(
        "INSERT INTO shipment_tracking (event_id, order_id, status, occurred_at, received_at) "
        "SELECT shipment_id, order_id, 'created', created_at, created_at FROM shipments"
    )
    op.execute(
        "INSERT INTO shipment_tracking (event_id, order_id, status, occurred_at, received_at) "
        "SELECT shipment_id || '-' || status, order_id, status, updated_at, updated_at "
        "FROM shipments WHERE status <> 'created'"
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_shipment_tracking_order_id"), table_name="shipment_tracking")
    op.drop_table("shipment_tracking")
