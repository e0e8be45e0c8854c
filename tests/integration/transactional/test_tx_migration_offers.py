"""Migration 0009 on a store of yesterday's schema with data, on SQLite and PostgreSQL: each product
becomes one offer by its seller at its price with its stock; order lines, held reservations and
paid orders' payouts name that offer and seller; the store then runs on as before."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import create_engine, text

from storeloop.settings import Settings
from transactional.bootstrap import bootstrap
from transactional.inventory.domain import StockReason
from transactional.orders.settlement import release_stock
from transactional.schema import upgrade

# the revision before, where `old_store_url` (conftest) starts
BEFORE = "0008_shipment_tracking"
T = "2026-12-01T00:00:00+00:00"
SELLER, BUYER = "s-000001", "c-000001"
# product -> (price in cents, units on hand, deleted)
PRODUCTS = {"p-000001": (1999, 5, False), "p-000002": (500, 0, False), "p-000003": (700, 2, True)}
ROWS = [
    ("INSERT INTO users (user_id, name, email, role, registered_at) VALUES"
     f" ('{SELLER}', 'Sal', 'sal@example.com', 'seller', '{T}'),"
     f" ('{BUYER}', 'Cy', 'cy@example.com', 'customer', '{T}')"),
    # o-1 was paid (4,498) and delivered, 10.00 of it refunded; o-2 waits for its payment.
    ("INSERT INTO orders (order_id, customer_id, status, currency, total_cents, placed_at,"
     f" updated_at) VALUES ('o-1', '{BUYER}', 'delivered', 'USD', 4498, '{T}', '{T}'),"
     f" ('o-2', '{BUYER}', 'pending_payment', 'USD', 1999, '{T}', '{T}')"),
    ("INSERT INTO order_items (order_id, product_id, quantity, unit_price_cents) VALUES"
     " ('o-1', 'p-000001', 2, 1999), ('o-1', 'p-000002', 1, 500), ('o-2', 'p-000001', 1, 1999)"),
    ("INSERT INTO payments (payment_id, order_id, status, amount_cents, currency, gateway_ref,"
     f" created_at, refunded_cents) VALUES ('pay-1', 'o-1', 'captured', 4498, 'USD', 'g-1',"
     f" '{T}', 1000)"),
    ("INSERT INTO stock_reservations (order_id, product_id, quantity, status, expires_at,"
     f" updated_at) VALUES ('o-2', 'p-000001', 1, 'held', '{T}', '{T}')"),
    f"INSERT INTO carts (cart_id, customer_id, created_at) VALUES ('cart-1', '{BUYER}', '{T}')",
    ("INSERT INTO cart_items (cart_id, product_id, quantity, unit_price_cents, added_at) VALUES"
     f" ('cart-1', 'p-000002', 3, 500, '{T}')"),
]  # fmt: skip


def _fill(engine) -> None:
    with engine.begin() as connection:
        for product_id, (cents, units, deleted) in PRODUCTS.items():
            connection.execute(
                text(
                    "INSERT INTO products (product_id, seller_id, title, description, brand,"
                    " category, price_cents, currency, rating, rating_count, image_url,"
                    " created_at, updated_at, deleted_at) VALUES (:id, :seller, :id, '', '',"
                    " '', :cents, 'USD', 0, 0, '', :t, :t, :deleted)"
                ),
                {"id": product_id, "seller": SELLER, "cents": cents, "t": T,
                 "deleted": T if deleted else None},
            )  # fmt: skip
            connection.execute(
                text("INSERT INTO stock (product_id, quantity) VALUES (:id, :units)"),
                {"id": product_id, "units": units},
            )
        for row in ROWS:
            connection.execute(text(row))


def _all(connection, query: str) -> list[tuple]:
    return [tuple(row) for row in connection.execute(text(query))]


def test_each_product_becomes_its_sellers_offer_and_orders_name_it(old_store_url, tmp_path):
    engine = create_engine(old_store_url)
    try:
        _fill(engine)
        upgrade(engine)
        with engine.connect() as connection:
            offers = _all(
                connection,
                "SELECT offer_id, product_id, seller_id, price_cents, currency, quantity,"
                " shipping_days, deleted_at FROM offers ORDER BY offer_id",
            )
            lines = _all(
                connection,
                "SELECT order_id, product_id, offer_id, seller_id FROM order_items"
                " ORDER BY order_id, product_id",
            )
            held = _all(connection, "SELECT order_id, offer_id FROM stock_reservations")
            payouts = _all(
                connection,
                "SELECT order_id, seller_id, sold_cents, refunded_cents FROM seller_payouts",
            )
            stock = _all(connection, "SELECT product_id, quantity FROM stock ORDER BY 1")
    finally:
        engine.dispose()
    assert offers == [
        (f"of-{p}", p, SELLER, cents, "USD", units, 3, None)
        for p, (cents, units, _) in PRODUCTS.items()
    ]
    assert stock == [(p, units) for p, (_, units, _) in PRODUCTS.items()]
    assert lines == [
        ("o-1", "p-000001", "of-p-000001", SELLER),
        ("o-1", "p-000002", "of-p-000002", SELLER),
        ("o-2", "p-000001", "of-p-000001", SELLER),
    ]
    assert held == [("o-2", "of-p-000001")]
    assert payouts == [("o-1", SELLER, 4498, 1000)]  # only the paid order is owed

    store = bootstrap(Settings(data_dir=tmp_path, database_url=old_store_url))
    try:
        view = store.catalog.get_product("p-000001")
        assert (view.price, view.stock, view.offer_id, view.other_offers) == (
            Decimal("19.99"), 5, "of-p-000001", 0,
        )  # fmt: skip
        cart = store.cart.view(BUYER)
        assert [(i.product_id, i.offer_id, i.quantity) for i in cart.items] == [
            ("p-000002", "of-p-000002", 3)
        ]
        with store.orders.uow.begin() as tx:  # o-2's hold expires: the unit goes back
            release_stock(tx, "o-2", StockReason.EXPIRE)
        assert store.offers.offers_of_product("p-000001")[0].stock == 6
        assert store.inventory.stock_level("p-000001") == 6
        assert [p.owed for p in store.orders.payouts(SELLER)] == [Decimal("34.98")]
        seller_orders = store.orders.history_for(store.users.get(SELLER))
        assert sorted(o.order_id for o in seller_orders) == ["o-1", "o-2"]
    finally:
        store.close()
