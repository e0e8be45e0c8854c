"""offers: several sellers per product, stock per offer; order lines name their offer and seller;
payouts per seller and order

Every product gets its lister's offer, `of-<product_id>`, at the product's price with its stock
(the product's stock row stays, as the sum over its offers) and three days' shipping. Order
lines, held reservations and the carts' lines keep what they meant: the order lines and
reservations name that offer and its seller; cart lines name none (the buy box, that same offer).
Orders paid before get their payouts: each seller's lines, less the refunds shared out as the
store shares them (orders.payouts.share_refund).

Revision ID: 0009_offers_and_payouts
Revises: 0008_shipment_tracking
Create Date: 2026-12-06 01:30:00
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_offers_and_payouts"
down_revision: str | Sequence[str] | None = "0008_shipment_tracking"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "offers",
        sa.Column("offer_id", sa.String(length=40), nullable=False),
        sa.Column("product_id", sa.String(length=32), nullable=False),
        sa.Column("seller_id", sa.String(length=32), nullable=False),
        sa.Column("price_cents", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("shipping_days", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.Column("updated_at", sa.String(length=40), nullable=False),
        sa.Column("deleted_at", sa.String(length=40), nullable=True),
        sa.CheckConstraint("quantity >= 0", name="offer_stock_never_negative"),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.product_id"], name=op.f("fk_offers_product_id_products")
        ),
        sa.PrimaryKeyConstraint("offer_id", name=op.f("pk_offers")),
        sa.UniqueConstraint("product_id", "seller_id", name="one_offer_per_seller"),
    )
    op.create_index(op.f("ix_offers_seller_id"), "offers", ["seller_id"], unique=False)
    op.execute(
        "INSERT INTO offers (offer_id, product_id, seller_id, price_cents, currency, quantity,"
        " shipping_days, created_at, updated_at, deleted_at)"
        " SELECT 'of-' || p.product_id, p.product_id, p.seller_id, p.price_cents, p.currency,"
        " COALESCE(s.quantity, 0), 3, p.created_at, p.updated_at, NULL"
        " FROM products p LEFT JOIN stock s ON s.product_id = p.product_id"
    )
    # A product that never had a stock row gets one: the sum over its offers is always there.
    op.execute(
        "INSERT INTO stock (product_id, quantity) SELECT product_id, 0 FROM products"
        " WHERE product_id NOT IN (SELECT product_id FROM stock)"
    )
    op.add_column("cart_items", sa.Column("offer_id", sa.String(length=40), nullable=True))
    op.add_column("stock_reservations", sa.Column("offer_id", sa.String(length=40), nullable=True))
    op.execute("UPDATE stock_reservations SET offer_id = 'of-' || product_id")
    op.add_column("order_items", sa.Column("offer_id", sa.String(length=40), nullable=True))
    op.add_column("order_items", sa.Column("seller_id", sa.String(length=32), nullable=True))
    op.execute(
        "UPDATE order_items SET offer_id = 'of-' || product_id, seller_id = (SELECT"
        " p.seller_id FROM products p WHERE p.product_id = order_items.product_id)"
    )
    op.create_index(op.f("ix_order_items_seller_id"), "order_items", ["seller_id"], unique=False)
    op.create_table(
        "seller_payouts",
        sa.Column("order_id", sa.String(length=40), nullable=False),
        sa.Column("seller_id", sa.String(length=32), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("sold_cents", sa.BigInteger(), nullable=False),
        sa.Column("refunded_cents", sa.BigInteger(), nullable=False),
        sa.Column("recorded_at", sa.String(length=40), nullable=False),
        sa.Column("updated_at", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("order_id", "seller_id", name=op.f("pk_seller_payouts")),
    )
    _payouts_of_paid_orders()


def _payouts_of_paid_orders() -> None:
    connection = op.get_bind()
    paid = connection.execute(
        sa.text(
            "SELECT o.order_id, o.currency, p.refunded_cents, p.created_at, o.updated_at"
            " FROM orders o JOIN payments p ON p.order_id = o.order_id"
            # Paid orders: a capture whose order was cancelled was refunded, never owed.
            " WHERE p.status IN ('captured', 'refunded')"
            " AND o.status NOT IN ('pending_payment', 'cancelled') ORDER BY o.order_id"
        )
    ).all()
    if not paid:
        return
    sold: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    lines = connection.execute(
        sa.text("SELECT order_id, seller_id, quantity, unit_price_cents FROM order_items")
    )
    for order_id, seller_id, quantity, unit_price_cents in lines:
        sold[order_id][seller_id or ""] += quantity * unit_price_cents
    rows = []
    for order_id, currency, refunded_cents, captured_at, updated_at in paid:
        shares = _share_refund(refunded_cents, dict(sold[order_id]))
        rows += [
            {"order_id": order_id, "seller_id": seller, "currency": currency,
             "sold_cents": cents, "refunded_cents": shares[seller], "recorded_at": captured_at,
             "updated_at": updated_at}
            for seller, cents in sorted(sold[order_id].items())
        ]  # fmt: skip
    payouts = sa.table(
        "seller_payouts",
        *(sa.column(name) for name in ("order_id", "seller_id", "currency", "sold_cents",
                                        "refunded_cents", "recorded_at", "updated_at")),
    )  # fmt: skip
    if rows:
        connection.execute(sa.insert(payouts), rows)


def _share_refund(refunded_cents: int, sold: dict[str, int]) -> dict[str, int]:
    """orders.payouts.share_refund as it stood at this revision (a migration never changes)."""
    whole = sum(sold.values())
    if whole <= 0:
        return dict.fromkeys(sold, 0)
    refunded_cents = min(refunded_cents, whole)
    shares = {s: refunded_cents * cents // whole for s, cents in sold.items()}
    left = refunded_cents - sum(shares.values())
    for seller in sorted(sold, key=lambda s: (-(refunded_cents * sold[s] % whole), s))[:left]:
        shares[seller] += 1
    return shares


def downgrade() -> None:
    op.drop_table("seller_payouts")
    op.drop_index(op.f("ix_order_items_seller_id"), table_name="order_items")
    with op.batch_alter_table("order_items") as batch:
        batch.drop_column("seller_id")
        batch.drop_column("offer_id")
    with op.batch_alter_table("stock_reservations") as batch:
        batch.drop_column("offer_id")
    with op.batch_alter_table("cart_items") as batch:
        batch.drop_column("offer_id")
    op.drop_index(op.f("ix_offers_seller_id"), table_name="offers")
    op.drop_table("offers")
