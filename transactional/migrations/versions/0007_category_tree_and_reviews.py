"""category tree built from the products' category texts; customer reviews and their tally

Every distinct category text becomes its path of nodes (contracts.categories: the same rules the
store and the search index use), and each product is linked to its leaf; the text itself stays.

Revision ID: 0007_category_tree_and_reviews
Revises: 0006_account_security
Create Date: 2026-12-05 13:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from contracts.categories import PATH_SEPARATOR, ancestor_paths, category_id, category_names

revision: str = "0007_category_tree_and_reviews"
down_revision: str | Sequence[str] | None = "0006_account_security"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_categories = sa.table(
    "categories",
    sa.column("category_id", sa.String),
    sa.column("parent_id", sa.String),
    sa.column("name", sa.String),
    sa.column("slug", sa.String),
    sa.column("path", sa.String),
)
_products = sa.table(
    "products", sa.column("category", sa.String), sa.column("category_id", sa.String)
)


def upgrade() -> None:
    op.create_table(
        "categories",
        sa.Column("category_id", sa.String(length=16), nullable=False),
        sa.Column("parent_id", sa.String(length=16), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("slug", sa.String(length=200), nullable=False),
        sa.Column("path", sa.String(length=1000), nullable=False),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["categories.category_id"],
            name=op.f("fk_categories_parent_id_categories"),
        ),
        sa.PrimaryKeyConstraint("category_id", name=op.f("pk_categories")),
        sa.UniqueConstraint("path", name=op.f("uq_categories_path")),
    )
    op.create_index(op.f("ix_categories_parent_id"), "categories", ["parent_id"], unique=False)
    # Batch mode: SQLite cannot add a foreign key to a table in place, so it copies the table.
    with op.batch_alter_table("products") as batch:
        batch.add_column(sa.Column("category_id", sa.String(length=16), nullable=True))
        batch.add_column(
            sa.Column("review_count", sa.Integer(), server_default="0", nullable=False)
        )
        batch.add_column(
            sa.Column("review_stars", sa.Integer(), server_default="0", nullable=False)
        )
        batch.create_foreign_key(
            op.f("fk_products_category_id_categories"),
            "categories",
            ["category_id"],
            ["category_id"],
        )
        batch.create_index(op.f("ix_products_category_id"), ["category_id"], unique=False)
    _file_products_under_their_leaves()
    op.create_table(
        "reviews",
        sa.Column("review_id", sa.String(length=40), nullable=False),
        sa.Column("product_id", sa.String(length=32), nullable=False),
        sa.Column("customer_id", sa.String(length=32), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("answered_at", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.product_id"], name=op.f("fk_reviews_product_id_products")
        ),
        sa.PrimaryKeyConstraint("review_id", name=op.f("pk_reviews")),
        sa.UniqueConstraint("product_id", "customer_id", name="one_review_per_buyer"),
    )


def _file_products_under_their_leaves() -> None:
    connection = op.get_bind()
    texts = sorted(
        connection.execute(sa.select(_products.c.category).distinct()).scalars(), key=str
    )
    nodes: dict[str, dict[str, str | None]] = {}
    leaves: dict[str, str] = {}
    for text in texts:
        parent = None
        for name, path in zip(category_names(text), ancestor_paths(text), strict=True):
            node = category_id(path)
            # The first spelling in text order names a node its variants share.
            nodes.setdefault(node, {
                "category_id": node, "parent_id": parent, "name": name,
                "slug": path.rsplit(PATH_SEPARATOR, 1)[-1], "path": path,
            })  # fmt: skip
            parent = leaves[text] = node
    # Parents before children: a path is longer than its ancestors'.
    ordered = sorted(nodes.values(), key=lambda row: (str(row["path"]).count("/"), row["path"]))
    if ordered:
        connection.execute(sa.insert(_categories), ordered)
    for text, leaf in leaves.items():
        connection.execute(
            sa.update(_products).where(_products.c.category == text).values(category_id=leaf)
        )


def downgrade() -> None:
    op.drop_table("reviews")
    with op.batch_alter_table("products") as batch:
        batch.drop_index(op.f("ix_products_category_id"))
        batch.drop_constraint(op.f("fk_products_category_id_categories"), type_="foreignkey")
        batch.drop_column("review_stars")
        batch.drop_column("review_count")
        batch.drop_column("category_id")
    op.drop_index(op.f("ix_categories_parent_id"), table_name="categories")
    op.drop_table("categories")
