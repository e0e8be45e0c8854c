"""HTTP entrypoints for the category tree: anyone browses it and the products under a node."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from transactional.catalog.service import MAX_PAGE
from transactional.gateway.identity import StoreDep
from transactional.gateway.serialize import to_json

router = APIRouter(prefix="/api/categories", tags=["catalog"])


@router.get("")
def list_root_categories(store: StoreDep) -> Any:
    """The top of the tree, by name."""
    return {"items": to_json(store.categories.roots())}


@router.get("/{category_id}")
def get_category(category_id: str, store: StoreDep) -> Any:
    """The node, its breadcrumb (`trail`, root first) and its children."""
    return to_json(store.categories.node(category_id))


@router.get("/{category_id}/products")
def list_category_products(
    category_id: str,
    store: StoreDep,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
) -> Any:
    """Products filed in the node or anywhere below it, by product id."""
    return to_json(store.categories.products_under(category_id, cursor, limit))
