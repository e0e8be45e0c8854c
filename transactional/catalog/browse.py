"""Browsing the category tree: the roots, a node with its breadcrumb and children, and every
product filed anywhere below a node."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection

from transactional.catalog.categories import (
    Category,
    children_of,
    get_category,
    subtree_ids,
    trail_of,
)
from transactional.catalog.domain import CategoryNotFound, InvalidProduct
from transactional.catalog.service import MAX_PAGE
from transactional.catalog.views import ProductPage, product_page
from transactional.common.uow import UnitOfWork


@dataclass(frozen=True)
class CategoryNode:
    category_id: str
    parent_id: str | None
    name: str
    slug: str
    path: str
    depth: int
    trail: list[Category]  # root first, ending with this node
    children: list[Category]


class CategoryService:
    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow

    def roots(self) -> list[Category]:
        with self.uow.read() as connection:
            return children_of(connection, None)

    def node(self, category_id: str) -> CategoryNode:
        with self.uow.read() as connection:
            node = _node(connection, category_id)
            return CategoryNode(
                node.category_id, node.parent_id, node.name, node.slug, node.path, node.depth,
                trail_of(connection, node), children_of(connection, node.category_id),
            )  # fmt: skip

    def products_under(
        self, category_id: str, cursor: str | None = None, limit: int = 50
    ) -> ProductPage:
        """Live products filed in the node or any node below it, by product id."""
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_PAGE:
            raise InvalidProduct(f"limit must be between 1 and {MAX_PAGE}", "limit")
        with self.uow.read() as connection:
            node = _node(connection, category_id)
            return product_page(connection, cursor, limit, under=subtree_ids(node))


def _node(connection: Connection, category_id: str) -> Category:
    node = get_category(connection, category_id)
    if node is None:
        raise CategoryNotFound(category_id)
    return node
