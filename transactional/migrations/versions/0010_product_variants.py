"""product variants: a variant names its parent and its option values; a parent its option names

A parent product (Amazon's parent item) describes a family and is never bought; each variant is an
ordinary product row with its own id, price, stock and offers. Every product already here stays
what it was: standalone, its own single variant (the three columns null), so nothing moves.

Revision ID: 0010_product_variants
Revises: 0009_offers_and_payouts
Create Date: 2026-12-06 05:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_product_variants"
down_revision: str | Sequence[str] | None = "0009_offers_and_payouts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Batch mode: SQLite cannot add a foreign key to a table in place, so it copies the table.
    with op.batch_alter_table("products") as batch:
        batch.add_column(sa.Column("parent_id", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("options", sa.Text(), nullable=True))
        batch.add_column(sa.Column("option_names", sa.Text(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_products_parent_id_products"), "products", ["parent_id"], ["product_id"]
        )
        batch.create_index(op.f("ix_products_parent_id"), ["parent_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("products") as batch:
        batch.drop_index(op.f("ix_products_parent_id"))
        batch.drop_constraint(op.f("fk_products_parent_id_products"), type_="foreignkey")
        batch.drop_column("option_names")
        batch.drop_column("options")
        batch.drop_column("parent_id")
