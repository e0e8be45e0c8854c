"""Silver built by Spark from the fixture bronze lake: counts, dedupe, statuses, quarantine."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from contracts import events as E
from contracts.categories import category_id
from quality.checks import check_silver

pytestmark = pytest.mark.spark


def silver(lake, table: str) -> pd.DataFrame:
    return pd.read_parquet(lake["settings"].lake_dir / "silver" / table)


def written(lake, kind: str) -> list[dict]:
    return [r for rows in lake["written"].values() for r in rows if r["type"] == kind]


def test_row_counts_match_the_events_written_without_duplicates(lake):
    rows = lake["silver"]
    assert rows["orders"] == len(written(lake, E.ORDER_PLACED)) == 4
    assert rows["order_items"] == 4
    # The click replayed into a second file of 2024-05-02 is counted once.
    assert rows["clicks"] == len(written(lake, E.SEARCH_RESULT_CLICKED)) == 2
    assert rows["search_impressions"] == 3 + 2 + 2
    # rec-a shows 2 items, rec-b 1, rec-empty none.
    assert rows == {
        "products": 4, "customers": 3, "product_categories": 5, "orders": 4, "order_items": 4,
        "payments": 4, "search_impressions": 7, "clicks": 2, "cart_adds": 3,
        "recommendation_impressions": 3, "recommendation_clicks": 2, "page_views": 4,
    }  # fmt: skip


def test_orders_carry_their_latest_status_and_payments_theirs(lake):
    status = silver(lake, "orders").set_index("order_id")["status"].to_dict()
    assert status == {"o-a": "paid", "o-b": "cancelled", "o-c": "paid", "o-d": "paid"}
    payments = silver(lake, "payments").set_index("payment_id")
    assert payments.loc["pay-a", "status"] == "captured"
    assert payments.loc["pay-b", "status"] == "declined"
    assert payments.loc["pay-b", "decline_code"] == "card_declined"
    assert payments["amount"].dtype == "float64"


def test_products_hold_the_latest_snapshot_stock_and_deletion(lake):
    products = silver(lake, "products").set_index("product_id")
    assert products.loc["p-000001", "price"] == 45.0  # the update of 2024-05-02
    assert products.loc["p-000002", "stock"] == 0  # sold out by o-c
    assert products.loc["p-000003", "stock"] == 4
    assert bool(products.loc["p-000004", "is_deleted"])
    assert not products.loc[["p-000001", "p-000002", "p-000003"], "is_deleted"].any()
    assert str(products["created_at"].dt.tz) == "UTC"


def test_each_product_has_a_row_per_level_of_its_category_named_as_the_tree_names_it(lake):
    levels = silver(lake, "product_categories").sort_values(["product_id", "level"])
    rows = list(levels[["product_id", "level", "category_path", "category_name"]].itertuples(
        index=False, name=None))  # fmt: skip
    assert rows == [
        ("p-000001", 1, "shoes", "shoes"), ("p-000002", 1, "shoes", "shoes"),
        ("p-000003", 1, "books", "books"),
        ("p-000004", 1, "books", "Books"), ("p-000004", 2, "books/fiction", "Fiction"),
    ]  # fmt: skip
    assert set(levels["category_id"]) == {category_id(p) for p in levels["category_path"]}


def test_order_items_and_impressions_are_exploded_with_dt(lake):
    items = silver(lake, "order_items").set_index("order_id")
    assert items.loc["o-a", "quantity"] == 2
    assert items.loc["o-a", "line_total"] == 100.0
    impressions = silver(lake, "search_impressions")
    srch_a = impressions[impressions["search_id"] == "srch-a"].sort_values("position")
    assert srch_a["product_id"].tolist() == ["p-000001", "p-000002", "p-000003"]
    assert set(impressions["dt"].astype(str)) == {"2024-05-01", "2024-05-02", "2024-05-03"}


def test_corrupt_partition_is_quarantined_and_reported(lake):
    settings = lake["settings"]
    assert not (settings.lake_dir / "bronze" / "events" / "dt=2024-05-04").exists()
    assert list((settings.lake_dir / "quarantine" / "events" / "dt=2024-05-04").glob("*.parquet"))
    assert "o-x" not in set(silver(lake, "orders")["order_id"])
    report = json.loads((settings.reports_dir / "quality.json").read_text())["bronze"]
    assert report["in_quarantine"] == ["2024-05-04"]


def test_silver_passes_its_quality_gate(lake):
    report = check_silver(lake["settings"])
    assert report["success"]
    assert report["tables"]["orders"]["rows"] == 4


def test_recommendation_impressions_and_clicks_name_the_list_and_its_model(lake):
    shown = silver(lake, "recommendation_impressions")
    shown = shown.sort_values(["recommendation_id", "position"])
    assert shown[["recommendation_id", "surface", "anchor_product_id", "recommender", "strategy",
                  "product_id", "position"]].values.tolist() == [
        ["rec-a", "feed", None, "7", "sasrec", "p-000003", 1],
        ["rec-a", "feed", None, "7", "sasrec", "p-000001", 2],
        ["rec-b", "similar", "p-000001", "popularity", "also_bought", "p-000003", 1],
    ]  # fmt: skip
    assert shown["score"].tolist() == [1.0, 0.9, 1.0]
    assert shown["dt"].astype(str).tolist() == ["2024-05-01", "2024-05-01", "2024-05-03"]
    assert str(shown["shown_at"].dt.tz) == "UTC"
    clicks = silver(lake, "recommendation_clicks").sort_values("clicked_at")
    columns = ["recommendation_id", "customer_id", "product_id", "position"]
    assert clicks[columns].values.tolist() == [
        ["rec-a", "c-000002", "p-000003", 1],
        ["rec-b", "c-000001", "p-000003", 1],
    ]  # fmt: skip
    assert list(clicks.columns) == [
        "recommendation_id", "session_id", "customer_id", "product_id", "position", "clicked_at",
        "dt",
    ]  # fmt: skip


def test_cart_adds_and_order_items_carry_what_they_were_found_in(lake):
    adds = silver(lake, "cart_adds").sort_values("added_at")
    # Adds logged before the recommendation channel have no recommendation_id key: null.
    assert adds[["product_id", "search_id", "recommendation_id"]].values.tolist() == [
        ["p-000001", "srch-a", None],
        ["p-000002", None, None],
        ["p-000003", None, "rec-b"],
    ]
    items = silver(lake, "order_items").set_index("order_id")
    found = items[["search_id", "recommendation_id"]].to_dict("index")
    assert found == {
        "o-a": {"search_id": "srch-a", "recommendation_id": None},
        "o-b": {"search_id": None, "recommendation_id": None},
        "o-c": {"search_id": None, "recommendation_id": None},
        "o-d": {"search_id": None, "recommendation_id": "rec-b"},
    }
    # Lines name the offer and seller they were bought from; null before offers existed.
    sellers = items[["offer_id", "seller_id"]].to_dict("index")
    assert sellers["o-d"] == {"offer_id": "of-p3-s2", "seller_id": "s-000002"}
    assert sellers["o-a"] == {"offer_id": None, "seller_id": None}


def test_page_views_name_the_session_the_page_and_where_the_shopper_came_from(lake):
    views = silver(lake, "page_views").sort_values("viewed_at")
    assert list(views.columns) == [
        "page_view_id", "session_id", "customer_id", "page", "path", "product_id",
        "referrer_page", "viewed_at", "dt",
    ]  # fmt: skip
    columns = ["page_view_id", "customer_id", "page", "product_id", "referrer_page"]
    assert views[columns].values.tolist() == [
        ["pv-a", "c-000001", "home", None, None],
        ["pv-b", "c-000001", "search", None, "home"],
        ["pv-c", "c-000001", "product", "p-000001", "search"],
        ["pv-d", None, "home", None, None],
    ]  # fmt: skip
    assert views["dt"].astype(str).tolist() == ["2024-05-01"] * 3 + ["2024-05-02"]
    assert str(views["viewed_at"].dt.tz) == "UTC"
