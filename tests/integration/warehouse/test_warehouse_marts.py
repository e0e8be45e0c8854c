"""dbt build on a hand-made silver lake: mart values checked against sums done by hand."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from decimal import Decimal

import duckdb
import pytest

from warehouse.dbt_build import build_marts
from warehouse.errors import DbtBuildFailed, WarehouseErrorCode

pytestmark = pytest.mark.slow


def query(settings, sql: str) -> list[tuple]:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as connection:
        return connection.execute(sql).fetchall()


def test_build_reports_models_tests_and_row_counts(built_warehouse):
    _, summary = built_warehouse
    assert summary["models"]["fct_orders"] == "success"
    assert set(summary["models"]) >= {"stg_lake__orders", "stg_lake__clicks", "daily_revenue"}
    assert summary["tests"].get("pass", 0) >= 40
    assert len(summary["unit_tests"]) == 8
    assert "fail" not in summary["tests"] and "error" not in summary["tests"]
    assert summary["row_counts"] == {
        "fct_orders": 4, "dim_products": 3, "dim_customers": 4, "daily_revenue": 2,
        "fct_model_outcomes": 3, "fct_experiment_arms": 3, "seller_daily_sales": 2,
        "fct_daily_funnel": 2, "category_daily_sales": 5,
    }  # fmt: skip


def test_daily_revenue_is_the_sum_of_paid_orders(built_warehouse):
    settings, _ = built_warehouse
    rows = query(settings, "select cast(order_date as varchar), orders, paid_orders, "
                 "cancelled_orders, revenue, average_order_value, units "
                 "from daily_revenue order by order_date")  # fmt: skip
    # day 1: o-a 25.50 + o-c 11.00 paid (units 3 + 2), o-b cancelled; day 2: o-d 10.00
    assert rows == [
        ("2026-01-01", 3, 2, 1, Decimal("36.50"), Decimal("18.25"), 5),
        ("2026-01-02", 1, 1, 0, Decimal("10.00"), Decimal("10.00"), 1),
    ]


def test_seller_daily_sales_sum_the_sellers_lines_of_each_day(built_warehouse):
    settings, _ = built_warehouse
    rows = query(settings, "select seller_id, cast(day as varchar), orders, paid_orders, units, "
                 "gross_revenue, refunded_orders, refunds, net_revenue "
                 "from seller_daily_sales order by seller_id, day")  # fmt: skip
    # every product is s-1's: day 1 o-a 25.50 (3 units) and o-c 11.00 (2) paid, o-b cancelled;
    # day 2's o-d was bought from s-2's offer of s-1's kettle: s-2's sale, not s-1's
    assert rows == [
        ("s-1", "2026-01-01", 3, 2, 5, Decimal("36.50"), 0, Decimal("0.00"), Decimal("36.50")),
        ("s-2", "2026-01-02", 1, 1, 1, Decimal("10.00"), 0, Decimal("0.00"), Decimal("10.00")),
    ]


def test_category_daily_sales_count_each_line_under_every_level_of_its_category(built_warehouse):
    settings, _ = built_warehouse
    rows = query(settings, "select category_path, category_level, cast(day as varchar), orders, "
                 "paid_orders, units, gross_revenue from category_daily_sales "
                 "order by day, category_level, category_path")  # fmt: skip
    # day 1: kettles (small appliances) on o-a (2, paid) and o-b (1, cancelled); mugs
    # (drinkware) on o-a (1) and o-c (2), both paid; day 2: a kettle on o-d
    assert rows == [
        ("home-kitchen", 1, "2026-01-01", 3, 2, 5, Decimal("36.50")),
        ("home-kitchen/drinkware", 2, "2026-01-01", 2, 2, 3, Decimal("16.50")),
        ("home-kitchen/small-appliances", 2, "2026-01-01", 2, 1, 2, Decimal("20.00")),
        ("home-kitchen", 1, "2026-01-02", 1, 1, 1, Decimal("10.00")),
        ("home-kitchen/small-appliances", 2, "2026-01-02", 1, 1, 1, Decimal("10.00")),
    ]


def test_experiment_arms_count_each_arms_lists_clicks_and_paid_orders(built_warehouse):
    settings, _ = built_warehouse
    rows = query(settings, "select cast(day as varchar), arm, shoppers, searches, "
                 "search_clicks_at_10, recommendation_lists, recommendation_clicks_at_10, "
                 "paid_orders, revenue from fct_experiment_arms order by day, arm")  # fmt: skip
    # day 1: c-1 (models) searched twice, one click, paid o-a 25.50; c-2 (control) saw a feed,
    # clicked it, paid o-c 11.00 (o-b was cancelled); day 2: c-1 paid o-d, shown nothing; the
    # guest's similar items on day 2 are in no arm
    assert rows == [
        ("2026-01-01", "control", 1, 0, 0, 1, 1, 1, Decimal("11.00")),
        ("2026-01-01", "models", 1, 2, 1, 0, 0, 1, Decimal("25.50")),
        ("2026-01-02", "models", 0, 0, 0, 0, 0, 1, Decimal("10.00")),
    ]


def test_the_daily_funnel_counts_sessions_that_looked_searched_carted_and_ordered(
    built_warehouse,
):
    settings, _ = built_warehouse
    rows = query(settings, "select cast(funnel_date as varchar), sessions, searching_sessions, "
                 "carting_sessions, ordering_sessions from fct_daily_funnel "
                 "order by funnel_date")  # fmt: skip
    # day 1: sess-1 (c-1) searched, carted p-1 and ordered o-a; sess-2 (c-2) carted from its feed
    # and ordered (o-b, o-c); the guest sess-4 only looked. Day 2: the guest sess-3 only looked
    # (c-1's o-d that day came from no session with a page view).
    assert rows == [("2026-01-01", 3, 1, 2, 2), ("2026-01-02", 1, 0, 0, 0)]


def test_fct_orders_carries_payment_status_and_units(built_warehouse):
    settings, _ = built_warehouse
    rows = query(settings, "select order_id, customer_id, payment_status, units, order_total, "
                 "is_paid from fct_orders order by order_id")  # fmt: skip
    assert rows == [
        ("o-a", "c-1", "captured", 3, Decimal("25.50"), True),
        ("o-b", "c-2", "declined", 1, Decimal("10.00"), False),
        ("o-c", "c-2", "captured", 2, Decimal("11.00"), True),
        ("o-d", "c-1", "captured", 1, Decimal("10.00"), True),
    ]


def test_dim_customers_lifetime_value_counts_paid_orders(built_warehouse):
    settings, _ = built_warehouse
    rows = query(settings, "select customer_id, orders, paid_orders, lifetime_value, "
                 "cast(first_order_at as varchar), cast(last_order_at as varchar) "
                 "from dim_customers order by customer_id")  # fmt: skip
    assert rows == [
        ("c-1", 2, 2, Decimal("35.50"), "2026-01-01 09:00:00", "2026-01-02 08:00:00"),
        ("c-2", 2, 1, Decimal("11.00"), "2026-01-01 12:00:00", "2026-01-01 23:30:00"),
        ("c-3", 0, 0, Decimal("0.00"), None, None),
        ("s-1", 0, 0, Decimal("0.00"), None, None),
    ]


def test_dim_products_sales_and_ctr(built_warehouse):
    settings, _ = built_warehouse
    rows = query(settings, "select product_id, units_sold, revenue, impressions, clicks, ctr, "
                 "is_deleted from dim_products order by product_id")  # fmt: skip
    assert rows == [
        ("p-1", 3, Decimal("30.00"), 2, 1, 0.5, False),
        ("p-2", 3, Decimal("16.50"), 1, 0, 0.0, False),
        ("p-3", 0, Decimal("0.00"), 1, 0, 0.0, True),
    ]
    # silver written before variants has no family columns: each product is its own family
    families = query(settings, "select product_id, family_id, variant_options, is_family_parent "
                     "from dim_products order by product_id")  # fmt: skip
    assert families == [(p, p, None, False) for p in ("p-1", "p-2", "p-3")]


def test_model_outcomes_credit_each_model_with_its_lists_clicks_and_sales(built_warehouse):
    settings, _ = built_warehouse
    rows = query(settings, "select cast(shown_date as varchar), surface, model, lists_shown, "
                 "impressions, clicks, cart_adds, orders, paid_orders, units, revenue "
                 "from fct_model_outcomes order by shown_date, surface")  # fmt: skip
    # search (index): srch-1 and srch-2, a click and an add on srch-1, o-a's 2 x p-1 from it;
    # feed (7): rec-1, clicked and added, o-b (cancelled) and o-c's 2 x p-2 at 5.50 from it.
    assert rows == [
        ("2026-01-01", "feed", "7", 1, 2, 1, 1, 2, 1, 2, Decimal("11.00")),
        ("2026-01-01", "search", "index", 2, 4, 1, 1, 1, 1, 2, Decimal("20.00")),
        ("2026-01-02", "similar", "popularity", 1, 1, 0, 0, 0, 0, 0, Decimal("0.00")),
    ]


def test_a_broken_silver_table_fails_the_build_naming_the_test(
    built_warehouse, write_lake, tmp_path
):
    settings, _ = built_warehouse
    broken = settings.model_copy(update={"data_dir": tmp_path})
    # a second row for o-a (another day's partition) breaks the uniqueness of order_id
    duplicate = {
        "order_id": "o-a", "customer_id": "c-1", "status": "paid", "currency": "USD",
        "total": 1.0, "item_count": 1, "placed_at": datetime(2026, 1, 3, tzinfo=UTC),
    }  # fmt: skip
    write_lake(broken.lake_dir, [duplicate])

    with pytest.raises(DbtBuildFailed) as failure:
        build_marts(broken, select="stg_lake__orders")  # only the failing part: dbt is slow

    assert failure.value.code == WarehouseErrorCode.DBT_BUILD_FAILED
    assert any("unique_stg_lake__orders_order_id" in node for node in failure.value.failed_nodes)


@pytest.mark.parametrize(
    ("table", "column"),
    [
        ("clicks", "clicked_at"),
        ("recommendation_clicks", "clicked_at"),
        ("cart_adds", "added_at"),
        ("page_views", "viewed_at"),  # a lake older than the storefront's page views
    ],
)
def test_a_silver_table_without_files_yet_reads_as_empty(built_warehouse, tmp_path, table, column):
    settings, _ = built_warehouse
    quiet = settings.model_copy(update={"data_dir": tmp_path})  # a lake with none of these yet
    model = f"stg_lake__{table}"

    # With the impressions the clicks' relationship test reads (dbt selects the test too).
    select = f"stg_lake__recommendation_impressions {model}" if "recommendation" in table else model

    summary = build_marts(quiet, select=select)

    assert summary["models"] == {name: "success" for name in select.split()}
    with duckdb.connect(str(quiet.warehouse_path), read_only=True) as connection:
        columns = connection.execute(f"describe {model}").fetchall()
        assert connection.execute(f"select count(*) from {model}").fetchone() == (0,)
    assert (column, "TIMESTAMP") in [(name, kind) for name, kind, *_ in columns]


def test_model_outcomes_build_on_a_lake_without_recommendations(
    built_warehouse, write_lake, tmp_path
):
    settings, _ = built_warehouse
    old = settings.model_copy(update={"data_dir": tmp_path})
    write_lake(old.lake_dir, [])
    for table in ("recommendation_impressions", "recommendation_clicks", "cart_adds"):
        shutil.rmtree(old.lake_dir / "silver" / table)

    summary = build_marts(old)  # the whole graph: tests of its parents read other models

    assert summary["models"]["fct_model_outcomes"] == "success"
    rows = query(old, "select surface, model, clicks, cart_adds, orders from fct_model_outcomes")
    assert rows == [("search", "index", 1, 0, 1)]
