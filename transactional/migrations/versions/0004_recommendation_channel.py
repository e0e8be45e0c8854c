"""recommendation channel: recommendation lists shown, and where each cart and order line was
found (the search result or recommendation list it is credited to)

Revision ID: 0004_recommendation_channel
Revises: 0003_money_path
Create Date: 2026-12-02 10:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_recommendation_channel"
down_revision: str | Sequence[str] | None = "0003_money_path"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "recommendation_lists",
        sa.Column("recommendation_id", sa.String(length=40), nullable=False),
        sa.Column("session_id", sa.String(length=64), nullable=False),
        sa.Column("customer_id", sa.String(length=32), nullable=True),
        sa.Column("surface", sa.String(length=16), nullable=False),
        sa.Column("anchor_product_id", sa.String(length=32), nullable=True),
        sa.Column("recommender", sa.String(length=64), nullable=False),
        sa.Column("strategy", sa.String(length=64), nullable=False),
        sa.Column("item_count", sa.Integer(), nullable=False),
        sa.Column("shown_at", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("recommendation_id", name=op.f("pk_recommendation_lists")),
    )
    # Nullable, no default: lines written before this migration were found by no recorded list.
    op.add_column("cart_items", sa.Column("recommendation_id", sa.String(length=40), nullable=True))
    op.add_column("order_items", sa.Column("search_id", sa.String(length=40), nullable=True))
    op.add_column(
        "order_items", sa.Column("recommendation_id", sa.String(length=40), nullable=True)
    )


def downgrade() -> None:
    op.drop_column("order_items", "recommendation_id")
    op.drop_column("order_items", "search_id")
    op.drop_column("cart_items", "recommendation_id")
    op.drop_table("recommendation_lists")
