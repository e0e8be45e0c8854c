"""The category tree: kept from the products' category texts, browsed by anyone over HTTP."""

from __future__ import annotations

from decimal import Decimal

import pytest

from contracts.categories import category_id
from tests.unit.transactional.test_tx_api import (  # noqa: F401  (fixtures)
    api,
    as_user,
    error_of,
    sign_up,
)
from transactional.catalog.domain import CatalogErrorCode
from transactional.common.errors import DomainError

KITCHEN = category_id("home-kitchen")
COOKWARE = category_id("home-kitchen/cookware")


@pytest.fixture
def listed(store, seller):
    def listing(title: str, category: str) -> str:
        return store.catalog.create_product(seller, title, "", "Acme", category, Decimal("9.99"))

    return listing


def test_listing_files_the_product_under_its_leaf_and_adds_the_path(store, listed):
    pan = listed("Pan", "Home & Kitchen > Cookware")
    knife = listed("Knife", "home & kitchen >  Cutlery ")  # another spelling, the same root
    listed("Boot", "Fashion > Men's Shoes")
    assert store.catalog.get_product(pan).category_id == COOKWARE
    assert store.catalog.get_product(pan).category == "Home & Kitchen > Cookware"  # as typed
    roots = store.categories.roots()
    assert [(r.name, r.slug, r.path) for r in roots] == [
        ("Fashion", "fashion", "fashion"),
        ("Home & Kitchen", "home-kitchen", "home-kitchen"),  # the first spelling names it
    ]
    node = store.categories.node(KITCHEN)
    assert [child.name for child in node.children] == ["Cookware", "Cutlery"]
    assert node.depth == 1 and [c.category_id for c in node.trail] == [KITCHEN]
    leaf = store.categories.node(COOKWARE)
    assert [c.name for c in leaf.trail] == ["Home & Kitchen", "Cookware"]
    assert leaf.parent_id == KITCHEN and leaf.children == [] and leaf.depth == 2
    under = store.categories.products_under(KITCHEN)
    assert [p.product_id for p in under.items] == [pan, knife]
    assert [p.product_id for p in store.categories.products_under(COOKWARE).items] == [pan]


def test_a_new_category_moves_the_product_and_deleted_ones_leave_the_node(store, seller, listed):
    pan = listed("Pan", "Home & Kitchen > Cookware")
    pot = listed("Pot", "Home & Kitchen > Cookware")
    store.catalog.update_product(pan, seller, category="Outdoor > Camp Kitchen")
    assert store.catalog.get_product(pan).category_id == category_id("outdoor/camp-kitchen")
    store.catalog.delete_product(pot, seller)
    assert store.categories.products_under(KITCHEN).items == []
    page = store.categories.products_under(category_id("outdoor"), limit=1)
    assert [p.product_id for p in page.items] == [pan] and page.next_cursor is None


def test_a_product_without_a_category_is_in_no_node(store, listed):
    bare = listed("Mystery", "  ")
    assert store.catalog.get_product(bare).category_id is None
    assert store.categories.roots() == []


def test_an_unknown_node_is_not_found(store):
    with pytest.raises(DomainError) as caught:
        store.categories.node("cat-000000000000")
    assert (caught.value.code, caught.value.field) == (
        CatalogErrorCode.CATEGORY_NOT_FOUND,
        "category_id",
    )


def test_anyone_browses_the_tree_over_http(api):  # noqa: F811
    seller = as_user(sign_up(api, "Sal", "sal@x.io", "seller")[1]["access_token"])
    made = api.post(
        "/api/products",
        json={"title": "Pan", "price": "20", "category": "Home & Kitchen > Cookware"},
        headers=seller,
    )
    assert made.status_code == 201 and made.json()["category_id"] == COOKWARE
    roots = api.get("/api/categories")
    assert roots.status_code == 200
    assert [r["category_id"] for r in roots.json()["items"]] == [KITCHEN]
    node = api.get(f"/api/categories/{KITCHEN}").json()
    assert [c["path"] for c in node["children"]] == ["home-kitchen/cookware"]
    leaf = api.get(f"/api/categories/{COOKWARE}").json()
    assert [c["name"] for c in leaf["trail"]] == ["Home & Kitchen", "Cookware"]
    products = api.get(f"/api/categories/{KITCHEN}/products", params={"limit": 10})
    assert [p["title"] for p in products.json()["items"]] == ["Pan"]
    missing = api.get("/api/categories/cat-nothing/products")
    assert missing.status_code == 404
    assert error_of(missing)["code"] == "category_not_found"
    assert api.get(f"/api/categories/{KITCHEN}/products", params={"limit": 0}).status_code == 422
