"""Tiny hand-written lakes (pandas/pyarrow, no Spark) for the quality gate tests."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from contracts import events as E
from storeloop.settings import Settings

AT = pd.Timestamp("2024-05-01 10:00", tz="UTC")


def silver_tables() -> dict[str, pd.DataFrame]:
    """One valid row (or two) per silver table, the columns of the contract."""
    return {
        "products": pd.DataFrame({
            "product_id": ["p-1", "p-2"], "seller_id": "s-1", "title": "t", "description": "",
            "brand": "Acme", "category": "shoes", "price": [10.0, 20.0], "currency": "USD",
            "rating": [4.0, 0.0], "rating_count": [3, 0], "image_url": "", "stock": [5, 0],
            "created_at": AT, "updated_at": AT, "is_deleted": [False, True],
            "parent_id": [None, "p-1"], "options": [None, '{"size":"8"}'],
            "option_names": ['["size"]', None]}),
        "product_categories": pd.DataFrame({
            "product_id": ["p-1", "p-2"], "level": [1, 1], "category_id": "cat-1",
            "category_path": "shoes", "category_name": "shoes"}),
        "customers": pd.DataFrame({"customer_id": ["c-1", "s-1"], "name": "n", "email": "e",
                                   "role": ["customer", "seller"], "registered_at": AT}),
        "orders": pd.DataFrame({"order_id": ["o-1"], "customer_id": "c-1", "status": "paid",
                                "currency": "USD", "total": 20.0, "item_count": 2,
                                "placed_at": AT, "dt": "2024-05-01"}),
        "order_items": pd.DataFrame({"order_id": ["o-1"], "customer_id": "c-1",
                                     "product_id": "p-1", "quantity": 2, "unit_price": 10.0,
                                     "line_total": 20.0, "placed_at": AT, "dt": "2024-05-01"}),
        "payments": pd.DataFrame({"payment_id": ["pay-1"], "order_id": "o-1",
                                  "status": "captured", "amount": 20.0, "currency": "USD",
                                  "decline_code": None, "occurred_at": AT, "dt": "2024-05-01"}),
        "search_impressions": pd.DataFrame({
            "search_id": "srch-1", "session_id": "x", "customer_id": "c-1", "query": "q",
            "product_id": ["p-1", "p-2"], "position": [1, 2], "index_score": [2.0, 1.0],
            "ranker": "index", "searched_at": AT, "dt": "2024-05-01"}),
        "clicks": pd.DataFrame({"search_id": ["srch-1"], "session_id": "x", "customer_id": "c-1",
                                "product_id": "p-1", "position": 1, "clicked_at": AT,
                                "dt": "2024-05-01"}),
        "cart_adds": pd.DataFrame({"cart_id": ["cart-1"], "customer_id": "c-1",
                                   "product_id": "p-1", "quantity": 2, "unit_price": 10.0,
                                   "search_id": "srch-1", "recommendation_id": None,
                                   "added_at": AT, "dt": "2024-05-01"}),
        "recommendation_impressions": pd.DataFrame({
            "recommendation_id": ["rec-1", "rec-1", "rec-2"], "session_id": "x",
            "customer_id": "c-1", "surface": ["feed", "feed", "similar"],
            "anchor_product_id": [None, None, "p-1"], "recommender": ["7", "7", "popularity"],
            "strategy": ["sasrec", "sasrec", "also_bought"], "product_id": ["p-1", "p-2", "p-2"],
            "position": [1, 2, 1], "score": [0.9, 0.5, 1.0], "shown_at": AT, "dt": "2024-05-01"}),
        "recommendation_clicks": pd.DataFrame({
            "recommendation_id": ["rec-1"], "session_id": "x", "customer_id": "c-1",
            "product_id": "p-2", "position": 2, "clicked_at": AT, "dt": "2024-05-01"}),
        "page_views": pd.DataFrame({
            "page_view_id": ["pv-1", "pv-2"], "session_id": "x", "customer_id": [None, "c-1"],
            "page": ["home", "product"], "path": ["/shop/", "/shop/products/p-1"],
            "product_id": [None, "p-1"], "referrer_page": [None, "home"], "viewed_at": AT,
            "dt": "2024-05-01"}),
    }  # fmt: skip


def write_silver(settings: Settings, tables: dict[str, pd.DataFrame]) -> None:
    for name, frame in tables.items():
        folder = settings.lake_dir / "silver" / name
        folder.mkdir(parents=True, exist_ok=True)
        frame.to_parquet(folder / "part-0.parquet", index=False)


def bronze_rows(day: int, payload: str = "{}", when: datetime | None = None) -> list[dict]:
    when = when or datetime(2024, 5, day, 10, tzinfo=UTC)
    body = json.dumps({"product_id": "p-1", "quantity": 1, "delta": 1, "reason": "restock"})
    return [
        {"position": 1, "event_id": f"e{day}a", "type": E.STOCK_CHANGED, "aggregate_id": "p-1",
         "payload": body, "occurred_at": when},
        {"position": 2, "event_id": f"e{day}b", "type": E.STOCK_CHANGED, "aggregate_id": "p-1",
         "payload": payload, "occurred_at": when},
    ]  # fmt: skip


def write_bronze(settings: Settings, dt: str, rows: list[dict], name: str = "part-1") -> Path:
    folder = settings.lake_dir / "bronze" / "events" / f"dt={dt}"
    folder.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(rows), folder / f"{name}.parquet")
    return folder
