"""Migration 0007 on a store of today's schema with data, on SQLite and PostgreSQL: every product
keeps every value and is filed under the leaf of its category text; nothing else moves."""

from __future__ import annotations

from sqlalchemy import create_engine, text

from contracts.categories import ancestor_paths, category_id
from storeloop.settings import Settings
from transactional.bootstrap import bootstrap
from transactional.schema import upgrade

# the revision before, where `old_store_url` (conftest) starts
BEFORE = "0006_account_security"
CATEGORIES = {
    "p-000001": "Fashion > Men's Shoes",
    "p-000002": "fashion > mens shoes",  # another spelling of the same node
    "p-000003": "Home & Kitchen > Cookware > Pans",
    "p-000004": "Home & Kitchen",  # a product on an inner node
    "p-000005": "",  # no category
    "p-000006": "Café > Thé vert",
    "p-000007": "Home & Kitchen > Cookware",  # deleted, still filed
}
_INSERT = text(
    "INSERT INTO products (product_id, seller_id, title, description, brand, category,"
    " price_cents, currency, rating, rating_count, image_url, created_at, updated_at, deleted_at)"
    " VALUES (:id, 's-000001', :title, 'd', 'Acme', :category, 1999, 'USD', 4.5, 12, '',"
    " '2026-12-01T00:00:00+00:00', '2026-12-01T00:00:00+00:00', :deleted)"
)
_OLD_COLUMNS = (
    "product_id, seller_id, title, description, brand, category, price_cents, currency, rating,"
    " rating_count, image_url, created_at, updated_at, deleted_at"
)


def _products(connection) -> list[tuple]:
    query = f"SELECT {_OLD_COLUMNS} FROM products ORDER BY product_id"  # noqa: S608 - constants
    return [tuple(row) for row in connection.execute(text(query))]


def _fill(engine) -> list[tuple]:
    with engine.begin() as connection:
        for product_id, category in CATEGORIES.items():
            deleted = "2026-12-02T00:00:00+00:00" if product_id == "p-000007" else None
            connection.execute(
                _INSERT,
                {"id": product_id, "title": f"Thing {product_id}", "category": category,
                 "deleted": deleted},
            )  # fmt: skip
        return _products(connection)


def test_every_product_keeps_its_values_and_is_filed_under_its_leaf(old_store_url, tmp_path):
    engine = create_engine(old_store_url)
    try:
        before = _fill(engine)
        upgrade(engine)
        with engine.connect() as connection:
            assert _products(connection) == before
            rows = connection.execute(text("SELECT product_id, category_id FROM products"))
            filed = {row.product_id: row.category_id for row in rows}
            tally = connection.execute(
                text("SELECT SUM(review_count), SUM(review_stars) FROM products")
            ).one()
            nodes = {
                row.path: (row.name, row.parent_id)
                for row in connection.execute(text("SELECT * FROM categories"))
            }
    finally:
        engine.dispose()
    for product_id, category in CATEGORIES.items():
        paths = ancestor_paths(category)
        assert filed[product_id] == (category_id(paths[-1]) if paths else None), product_id
    assert tuple(tally) == (0, 0)
    assert nodes == {
        "cafe": ("Café", None),
        "cafe/the-vert": ("Thé vert", category_id("cafe")),
        "fashion": ("Fashion", None),
        "fashion/mens-shoes": ("Men's Shoes", category_id("fashion")),
        "home-kitchen": ("Home & Kitchen", None),
        "home-kitchen/cookware": ("Cookware", category_id("home-kitchen")),
        "home-kitchen/cookware/pans": ("Pans", category_id("home-kitchen/cookware")),
    }
    store = bootstrap(Settings(data_dir=tmp_path, database_url=old_store_url))
    try:
        under = store.categories.products_under(category_id("home-kitchen"))
        assert [p.product_id for p in under.items] == ["p-000003", "p-000004"]
        shoes = store.categories.products_under(category_id("fashion/mens-shoes"))
        assert [p.product_id for p in shoes.items] == ["p-000001", "p-000002"]
        assert store.catalog.get_product("p-000001").rating == 4.5  # the listing's, no reviews
    finally:
        store.close()
