"""A tiny silver and bronze lake in the contract's schemas (pyarrow), and marts built on it."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from contracts.categories import category_levels
from storeloop.settings import Settings
from warehouse.dbt_build import build_marts


def ts(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def write_table(lake: Path, layer: str, table: str, rows: list[dict[str, Any]], by_day: str | None):
    """Spark-like layout: `dt=` partitions hold files without the dt column."""
    groups: dict[str | None, list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(row[by_day].date().isoformat() if by_day else None, []).append(row)
    for dt, group in groups.items():
        folder = lake / layer / table / (f"dt={dt}" if dt else "")
        folder.mkdir(parents=True, exist_ok=True)
        pq.write_table(pa.Table.from_pylist(group), folder / "part-00000.parquet")


PRODUCTS = [
    {"product_id": "p-1", "seller_id": "s-1", "title": "Kettle", "price": 10.0, "stock": 7,
     "is_deleted": False, "category": "Home & Kitchen > Small Appliances"},
    {"product_id": "p-2", "seller_id": "s-1", "title": "Mug", "price": 5.5, "stock": 0,
     "is_deleted": False, "category": "Home & Kitchen > Drinkware"},
    {"product_id": "p-3", "seller_id": "s-1", "title": "Toaster", "price": 99.99, "stock": 1,
     "is_deleted": True, "category": "Home & Kitchen > Small Appliances"},
]  # fmt: skip
CUSTOMERS = [
    {"customer_id": "c-1", "name": "Ada", "email": "ada@example.com", "role": "customer"},
    {"customer_id": "c-2", "name": "Bob", "email": "bob@example.com", "role": "customer"},
    {"customer_id": "c-3", "name": "Cy", "email": "cy@example.com", "role": "customer"},
    {"customer_id": "s-1", "name": "Shop", "email": "shop@example.com", "role": "seller"},
]
# (order_id, customer_id, status, placed_at, [(product_id, quantity, unit_price)], payment statuses)
ORDERS = [
    ("o-a", "c-1", "paid", "2026-01-01 09:00:00", [("p-1", 2, 10.0), ("p-2", 1, 5.5)],
     ["authorized", "captured"]),
    ("o-b", "c-2", "cancelled", "2026-01-01 12:00:00", [("p-1", 1, 10.0)], ["declined"]),
    ("o-c", "c-2", "paid", "2026-01-01 23:30:00", [("p-2", 2, 5.5)], ["captured"]),
    ("o-d", "c-1", "paid", "2026-01-02 08:00:00", [("p-1", 1, 10.0)], ["captured"]),
]  # fmt: skip


# (order_id, product_id) -> the offer of another seller the line was bought from
OFFERS = {("o-d", "p-1"): ("of-s2-p1", "s-2")}
# (order_id, product_id) -> (search_id, recommendation_id) of the cart line it came from
CREDITS = {("o-a", "p-1"): ("srch-1", None), ("o-b", "p-1"): (None, "rec-1"),
           ("o-c", "p-2"): (None, "rec-1")}  # fmt: skip


def write_silver(lake: Path) -> None:
    made = ts("2025-12-01 00:00:00")
    products = [
        {"description": "", "brand": "Acme", "currency": "USD",
         "rating": 4.5, "rating_count": 10, "image_url": "", "created_at": made,
         "updated_at": made, **product}
        for product in PRODUCTS
    ]  # fmt: skip
    write_table(lake, "silver", "products", products, None)
    levels = [
        {"product_id": product["product_id"], "level": level, "category_id": node_id,
         "category_path": path, "category_name": name}
        for product in PRODUCTS
        for level, node_id, path, name in category_levels(product["category"])
    ]  # fmt: skip
    write_table(lake, "silver", "product_categories", levels, None)
    customers = [{**customer, "registered_at": made} for customer in CUSTOMERS]
    write_table(lake, "silver", "customers", customers, None)
    orders, items, payments = [], [], []
    for order_id, customer_id, status, placed, lines, payment_statuses in ORDERS:
        placed_at = ts(placed)
        total = sum(quantity * price for _, quantity, price in lines)
        orders.append({"order_id": order_id, "customer_id": customer_id, "status": status,
                       "currency": "USD", "total": total, "item_count": len(lines),
                       "placed_at": placed_at})  # fmt: skip
        for product_id, quantity, price in lines:
            search_id, recommendation_id = CREDITS.get((order_id, product_id), (None, None))
            offer_id, seller_id = OFFERS.get((order_id, product_id), (None, None))
            items.append({"order_id": order_id, "customer_id": customer_id,
                          "product_id": product_id, "quantity": quantity, "unit_price": price,
                          "line_total": quantity * price, "search_id": search_id,
                          "recommendation_id": recommendation_id, "offer_id": offer_id,
                          "seller_id": seller_id, "placed_at": placed_at})  # fmt: skip
        for payment_status in payment_statuses:
            payments.append({"payment_id": f"pay-{order_id}", "order_id": order_id,
                             "status": payment_status, "amount": total, "currency": "USD",
                             "decline_code": "card_declined" if payment_status == "declined"
                             else None, "occurred_at": placed_at})  # fmt: skip
    write_table(lake, "silver", "orders", orders, "placed_at")
    write_table(lake, "silver", "order_items", items, "placed_at")
    write_table(lake, "silver", "payments", payments, "occurred_at")
    searched = ts("2026-01-01 08:00:00")
    impressions = [
        {"search_id": search_id, "session_id": "sess-1", "customer_id": "c-1", "query": "kettle",
         "product_id": product_id, "position": position, "index_score": 1.0 / position,
         "ranker": "index", "team": None, "arm": "models", "swapped_at": None,
         "searched_at": searched}
        for search_id, product_id, position in
        [("srch-1", "p-1", 1), ("srch-1", "p-2", 2), ("srch-2", "p-1", 1), ("srch-2", "p-3", 2)]
    ]  # fmt: skip
    write_table(lake, "silver", "search_impressions", impressions, "searched_at")
    clicks = [{"search_id": "srch-1", "session_id": "sess-1", "customer_id": "c-1",
               "product_id": "p-1", "position": 1, "clicked_at": searched}]  # fmt: skip
    write_table(lake, "silver", "clicks", clicks, "clicked_at")
    write_recommendations(lake)


def write_recommendations(lake: Path) -> None:
    """c-2's feed (model 7) on day 1 led to o-b (cancelled) and o-c; p-1's similar items
    (popularity) on day 2 led nowhere. c-2 is in the A/B test's control arm; the guest in none."""
    lists = {  # id -> session, customer, surface, anchor, model, strategy, shown at, items, arm
        "rec-1": ("sess-2", "c-2", "feed", None, "7", "sasrec", "2026-01-01 11:00:00",
                  ["p-2", "p-1"], "control"),
        "rec-2": ("sess-3", None, "similar", "p-1", "popularity", "also_bought",
                  "2026-01-02 07:00:00", ["p-2"], None),
    }  # fmt: skip
    shown = [
        {"recommendation_id": rec_id, "session_id": session, "customer_id": customer,
         "surface": surface, "anchor_product_id": anchor, "recommender": model,
         "strategy": strategy, "arm": arm, "product_id": product_id,
         "position": position, "score": 1.0 / position, "shown_at": ts(at)}
        for rec_id, (session, customer, surface, anchor, model, strategy, at, items, arm)
        in lists.items()
        for position, product_id in enumerate(items, start=1)
    ]  # fmt: skip
    write_table(lake, "silver", "recommendation_impressions", shown, "shown_at")
    clicks = [{"recommendation_id": "rec-1", "session_id": "sess-2", "customer_id": "c-2",
               "product_id": "p-2", "position": 1,
               "clicked_at": ts("2026-01-01 11:01:00")}]  # fmt: skip
    write_table(lake, "silver", "recommendation_clicks", clicks, "clicked_at")
    adds = [
        {"cart_id": cart_id, "customer_id": customer, "product_id": product_id, "quantity": 1,
         "unit_price": price, "search_id": search_id, "recommendation_id": rec_id,
         "added_at": ts(at)}
        for cart_id, customer, product_id, price, search_id, rec_id, at in [
            ("cart-c-1", "c-1", "p-1", 10.0, "srch-1", None, "2026-01-01 08:01:00"),
            ("cart-c-2", "c-2", "p-2", 5.5, None, "rec-1", "2026-01-01 11:02:00"),
        ]
    ]  # fmt: skip
    write_table(lake, "silver", "cart_adds", adds, "added_at")
    write_page_views(lake)


def write_page_views(lake: Path) -> None:
    """Day 1: c-1 (sess-1) comes in, searches and opens p-1; c-2 (sess-2) opens the home feed; a
    guest (sess-4) only looks. Day 2: a guest (sess-3) lands on p-1's page from elsewhere."""
    views = [
        {"page_view_id": f"pv-{n}", "session_id": session, "customer_id": customer,
         "page": page, "path": "/shop/products/p-1" if page == "product" else "/shop/",
         "product_id": "p-1" if page == "product" else None, "referrer_page": came_from,
         "viewed_at": ts(at)}
        for n, (session, customer, page, came_from, at) in enumerate([
            ("sess-1", "c-1", "home", None, "2026-01-01 07:59:00"),
            ("sess-1", "c-1", "search", "home", "2026-01-01 08:00:00"),
            ("sess-1", "c-1", "product", "search", "2026-01-01 08:00:30"),
            ("sess-2", "c-2", "home", None, "2026-01-01 11:00:00"),
            ("sess-4", None, "home", None, "2026-01-01 12:00:00"),
            ("sess-3", None, "product", None, "2026-01-02 07:00:00"),
        ], start=1)
    ]  # fmt: skip
    write_table(lake, "silver", "page_views", views, "viewed_at")


def write_bronze_events(lake: Path, day: str, count: int) -> None:
    rows = [
        {"position": position, "event_id": f"evt-{day}-{position:04d}",
         "type": "storefront.SearchResultClicked.v1", "aggregate_id": f"srch-{position}",
         "payload": json.dumps({"search_id": f"srch-{position}", "position": 1}),
         "occurred_at": ts(f"{day} 10:00:00")}
        for position in range(1, count + 1)
    ]  # fmt: skip
    folder = lake / "bronze" / "events" / f"dt={day}"
    folder.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(rows), folder / f"part-{1:012d}-{count:012d}.parquet")


@pytest.fixture
def write_lake():
    """Writes the silver fixture (plus `extra_orders`) under a lake dir; for broken-lake tests."""

    def write(lake: Path, extra_orders: list[dict[str, Any]]) -> None:
        write_silver(lake)
        for order in extra_orders:
            write_table(lake, "silver", "orders", [order], "placed_at")

    return write


@pytest.fixture(scope="session")
def built_warehouse(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, dict[str, Any]]:
    """Marts built once for the session (dbt takes seconds); tests only read them."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("warehouse"))
    settings.ensure_dirs()
    write_silver(settings.lake_dir)
    write_bronze_events(settings.lake_dir, "2026-01-01", 23)
    write_bronze_events(settings.lake_dir, "2026-01-02", 4)
    return settings, build_marts(settings)
