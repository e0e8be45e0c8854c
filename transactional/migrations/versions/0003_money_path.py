"""money path: stock reservations, payment intents (the checkout saga), webhook receipts,
shipments and returns, request fingerprints on orders, refunded amounts on payments

Revision ID: 0003_money_path
Revises: 0002_auth
Create Date: 2026-11-25 22:49:53
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_money_path"
down_revision: str | Sequence[str] | None = "0002_auth"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "order_returns",
        sa.Column("return_id", sa.String(length=40), nullable=False),
        sa.Column("order_id", sa.String(length=40), nullable=False),
        sa.Column("customer_id", sa.String(length=32), nullable=False),
        sa.Column("carrier_ref", sa.String(length=80), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.Column("updated_at", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("return_id", name=op.f("pk_order_returns")),
        sa.UniqueConstraint("carrier_ref", name=op.f("uq_order_returns_carrier_ref")),
        sa.UniqueConstraint("order_id", name=op.f("uq_order_returns_order_id")),
    )
    op.create_table(
        "payment_intents",
        sa.Column("order_id", sa.String(length=40), nullable=False),
        sa.Column("reference", sa.String(length=60), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("gateway_ref", sa.String(length=80), nullable=True),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.Column("updated_at", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("order_id", name=op.f("pk_payment_intents")),
        sa.UniqueConstraint("reference", name=op.f("uq_payment_intents_reference")),
    )
    op.create_index(op.f("ix_payment_intents_state"), "payment_intents", ["state"], unique=False)
    op.create_table(
        "shipments",
        sa.Column("shipment_id", sa.String(length=40), nullable=False),
        sa.Column("order_id", sa.String(length=40), nullable=False),
        sa.Column("carrier_ref", sa.String(length=80), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.Column("updated_at", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("shipment_id", name=op.f("pk_shipments")),
        sa.UniqueConstraint("carrier_ref", name=op.f("uq_shipments_carrier_ref")),
        sa.UniqueConstraint("order_id", name=op.f("uq_shipments_order_id")),
    )
    op.create_table(
        "stock_reservations",
        sa.Column("order_id", sa.String(length=40), nullable=False),
        sa.Column("product_id", sa.String(length=32), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("expires_at", sa.String(length=40), nullable=False),
        sa.Column("updated_at", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("order_id", "product_id", name=op.f("pk_stock_reservations")),
    )
    op.create_index(
        op.f("ix_stock_reservations_expires_at"), "stock_reservations", ["expires_at"], unique=False
    )
    op.create_table(
        "webhook_receipts",
        sa.Column("provider", sa.String(length=16), nullable=False),
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("event_type", sa.String(length=40), nullable=False),
        sa.Column("received_at", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("provider", "event_id", name=op.f("pk_webhook_receipts")),
    )
    op.add_column("orders", sa.Column("request_fingerprint", sa.String(length=64), nullable=True))
    op.add_column(
        "payments", sa.Column("refunded_cents", sa.BigInteger(), server_default="0", nullable=False)
    )


def downgrade() -> None:
    op.drop_column("payments", "refunded_cents")
    op.drop_column("orders", "request_fingerprint")
    op.drop_table("webhook_receipts")
    op.drop_index(op.f("ix_stock_reservations_expires_at"), table_name="stock_reservations")
    op.drop_table("stock_reservations")
    op.drop_table("shipments")
    op.drop_index(op.f("ix_payment_intents_state"), table_name="payment_intents")
    op.drop_table("payment_intents")
    op.drop_table("order_returns")
