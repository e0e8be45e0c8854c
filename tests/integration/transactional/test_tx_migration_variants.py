"""Migration 0010 on a store of yesterday's schema with data, on SQLite and PostgreSQL: every
product stays standalone, its own single variant, each row, offer, stock level and order line as
it was; the store then lists a product with variants beside them and sells both."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import create_engine, text

from storeloop.settings import Settings
from transactional.bootstrap import bootstrap
from transactional.payments.sandbox import APPROVE_CARD
from transactional.schema import upgrade

# the revision before, where `old_store_url` (conftest) starts
BEFORE = "0009_offers_and_payouts"
T = "2026-12-01T00:00:00+00:00"
SELLER, BUYER = "s-000001", "c-000001"
# product -> (price in cents, units on hand, deleted)
PRODUCTS = {"p-000001": (1999, 5, False), "p-000002": (500, 0, False), "p-000003": (700, 2, True)}
ROWS = [
    ("INSERT INTO users (user_id, name, email, role, registered_at) VALUES"
     f" ('{SELLER}', 'Sal', 'sal@example.com', 'seller', '{T}'),"
     f" ('{BUYER}', 'Cy', 'cy@example.com', 'customer', '{T}')"),
    ("INSERT INTO orders (order_id, customer_id, status, currency, total_cents, placed_at,"
     f" updated_at) VALUES ('o-1', '{BUYER}', 'delivered', 'USD', 3998, '{T}', '{T}')"),
    ("INSERT INTO order_items (order_id, product_id, quantity, unit_price_cents, offer_id,"
     f" seller_id) VALUES ('o-1', 'p-000001', 2, 1999, 'of-p-000001', '{SELLER}')"),
]  # fmt: skip
PRODUCT_COLUMNS = (
    "product_id, seller_id, title, description, brand, category, category_id, price_cents,"
    " currency, rating, rating_count, review_count, review_stars, image_url, created_at,"
    " updated_at, deleted_at"
)


def _fill(engine) -> None:
    with engine.begin() as connection:
        for row in ROWS[:1]:
            connection.execute(text(row))
        for product_id, (cents, units, deleted) in PRODUCTS.items():
            values = {"id": product_id, "seller": SELLER, "cents": cents, "t": T,
                      "deleted": T if deleted else None, "units": units}  # fmt: skip
            connection.execute(
                text(
                    "INSERT INTO products (product_id, seller_id, title, description, brand,"
                    " category, price_cents, currency, rating, rating_count, image_url,"
                    " created_at, updated_at, deleted_at) VALUES (:id, :seller, :id, 'd', 'b',"
                    " '', :cents, 'USD', 4.5, 7, '', :t, :t, :deleted)"
                ),
                values,
            )
            connection.execute(
                text("INSERT INTO stock (product_id, quantity) VALUES (:id, :units)"), values
            )
            connection.execute(
                text(
                    "INSERT INTO offers (offer_id, product_id, seller_id, price_cents, currency,"
                    " quantity, shipping_days, created_at, updated_at) VALUES ('of-' || :id,"
                    " :id, :seller, :cents, 'USD', :units, 3, :t, :t)"
                ),
                values,
            )
        for row in ROWS[1:]:
            connection.execute(text(row))


def _rows(connection, query: str) -> list[tuple]:
    return [tuple(row) for row in connection.execute(text(query))]


def test_every_product_stays_standalone_and_families_list_beside_them(old_store_url, tmp_path):
    engine = create_engine(old_store_url)
    tables = {
        "products": f"SELECT {PRODUCT_COLUMNS} FROM products ORDER BY product_id",
        "offers": "SELECT * FROM offers ORDER BY offer_id",
        "stock": "SELECT * FROM stock ORDER BY product_id",
        "order_items": "SELECT * FROM order_items ORDER BY order_id, product_id",
    }
    try:
        _fill(engine)
        with engine.connect() as connection:
            before = {name: _rows(connection, query) for name, query in tables.items()}
        upgrade(engine)
        with engine.connect() as connection:
            after = {name: _rows(connection, query) for name, query in tables.items()}
            family = _rows(connection, "SELECT parent_id, options, option_names FROM products")
    finally:
        engine.dispose()
    assert after == before
    assert family == [(None, None, None)] * len(PRODUCTS)

    store = bootstrap(Settings(data_dir=tmp_path, database_url=old_store_url))
    try:
        old = store.catalog.get_product("p-000001")
        assert (old.price, old.stock, old.parent_id, old.options, old.variants) == (
            Decimal("19.99"), 5, None, None, None,
        )  # fmt: skip
        parent = store.catalog.create_product(
            SELLER, "Trail shoe", "", "Acme", "Shoes", None, product_id="p-shoe", options=["size"],
            variants=[
                {"options": {"size": "8"}, "price": Decimal("40"), "stock": 3, "product_id": "p-8"},
                {"options": {"size": "9"}, "price": Decimal("42"), "stock": 1, "product_id": "p-9"},
            ],
        )  # fmt: skip
        view = store.catalog.get_product(parent)
        assert [v.options for v in view.variants or []] == [{"size": "8"}, {"size": "9"}]
        eight = (view.variants or [])[0].product_id
        store.cart.add_item(BUYER, "p-000001", 1)
        store.cart.add_item(BUYER, eight, 2)
        order = store.orders.checkout(BUYER, APPROVE_CARD)
        assert order.status == "paid"
        assert store.inventory.stock_level("p-000001") == 4
        assert store.inventory.stock_level(eight) == 1
    finally:
        store.close()
