"""The category tree: nodes kept from the products' category texts, read by id, parent and path."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, Connection, ForeignKey, String, Table, select
from sqlalchemy.dialects import postgresql, sqlite

from contracts.categories import PATH_SEPARATOR, ancestor_paths, category_id, category_names
from transactional.common.db import metadata

categories = Table(
    "categories",
    metadata,
    Column("category_id", String(16), primary_key=True),
    Column("parent_id", String(16), ForeignKey("categories.category_id"), index=True),
    Column("name", String(200), nullable=False),
    Column("slug", String(200), nullable=False),
    # Slugs hold no "%" or "_", so `path LIKE 'a/b/%'` is exactly the subtree of a/b.
    Column("path", String(1000), nullable=False, unique=True),
)


@dataclass(frozen=True)
class Category:
    category_id: str
    parent_id: str | None
    name: str
    slug: str
    path: str

    @property
    def depth(self) -> int:
        return self.path.count(PATH_SEPARATOR) + 1


def tree_rows(category: str | None) -> list[dict[str, Any]]:
    """The rows of every node on a category text's path, root first."""
    rows: list[dict[str, Any]] = []
    for name, path in zip(category_names(category), ancestor_paths(category), strict=True):
        parent = rows[-1]["category_id"] if rows else None
        slug = path.rsplit(PATH_SEPARATOR, 1)[-1]
        rows.append(
            {"category_id": category_id(path), "parent_id": parent, "name": name, "slug": slug,
             "path": path}
        )  # fmt: skip
    return rows


def place_in_tree(connection: Connection, category: str | None) -> str | None:
    """The leaf node of a category text, with any missing ancestors added; None for none.
    A node that exists keeps its first name: "kitchen" files under "Kitchen"."""
    rows = tree_rows(category)
    if not rows:
        return None
    known = set(
        connection.execute(
            select(categories.c.category_id).where(
                categories.c.category_id.in_([row["category_id"] for row in rows])
            )
        ).scalars()
    )
    missing = [row for row in rows if row["category_id"] not in known]
    if missing:
        # A concurrent listing may add the same node first: its row is the same, so skip it.
        dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
        connection.execute(dialect.insert(categories).on_conflict_do_nothing(), missing)
    return str(rows[-1]["category_id"])


def _category(row: Any) -> Category:
    return Category(row.category_id, row.parent_id, row.name, row.slug, row.path)


def get_category(connection: Connection, node_id: str) -> Category | None:
    row = connection.execute(select(categories).where(categories.c.category_id == node_id)).first()
    return _category(row) if row else None


def children_of(connection: Connection, node_id: str | None) -> list[Category]:
    """The children of a node (the roots for None), by name."""
    parent = categories.c.parent_id
    condition = parent.is_(None) if node_id is None else parent == node_id
    query = select(categories).where(condition).order_by(categories.c.name, categories.c.path)
    return [_category(row) for row in connection.execute(query)]


def trail_of(connection: Connection, node: Category) -> list[Category]:
    """The node's ancestors and itself, root first: its breadcrumb."""
    parts = node.path.split(PATH_SEPARATOR)
    ids = [category_id(PATH_SEPARATOR.join(parts[: i + 1])) for i in range(len(parts))]
    rows = connection.execute(select(categories).where(categories.c.category_id.in_(ids)))
    found = {row.category_id: _category(row) for row in rows}
    return [found[i] for i in ids if i in found]


def subtree_ids(node: Category) -> Any:
    """A subquery of the ids of the node and every node below it."""
    path = categories.c.path
    return select(categories.c.category_id).where(
        (path == node.path) | path.like(node.path + PATH_SEPARATOR + "%")
    )
