"""Spark-free pieces of the jobs: the spark-submit settings and the payload schemas."""

from __future__ import annotations

from pathlib import Path

from contracts import events as E
from spark_jobs import payloads
from spark_jobs.lake import settings_from_argv, table_dir
from spark_jobs.silver import TABLES


def test_data_dir_argument_overrides_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("STORE_DATA_DIR", "/elsewhere")
    assert settings_from_argv(["--data-dir", str(tmp_path)]).root == tmp_path.resolve()
    assert settings_from_argv([]).root == Path("/elsewhere")


def test_tables_live_in_their_layer(tmp_path):
    settings = settings_from_argv(["--data-dir", str(tmp_path)])
    assert table_dir(settings, "silver", "orders") == tmp_path.resolve() / "lake/silver/orders"


def test_every_contract_silver_table_has_a_builder():
    assert set(TABLES) == {
        "products", "customers", "product_categories", "orders", "order_items", "payments",
        "search_impressions", "clicks", "cart_adds", "recommendation_impressions",
        "recommendation_clicks", "page_views",
    }  # fmt: skip
    assert not TABLES["products"][1] and TABLES["orders"][1]  # only dated tables have dt


def test_payload_schemas_name_the_documented_keys():
    assert set(payloads.ORDER_PLACED.fieldNames()) == {
        "order_id", "customer_id", "status", "currency", "total", "items", "placed_at",
    }  # fmt: skip
    assert "results" in payloads.SEARCH.fieldNames()
    assert {"surface", "recommender", "strategy", "items"} <= set(
        payloads.RECOMMENDATIONS.fieldNames()
    )
    item = payloads.ORDER_PLACED["items"].dataType.elementType  # type: ignore[attr-defined]
    assert {"search_id", "recommendation_id"} <= set(item.fieldNames())
    assert E.ORDER_PLACED.endswith(".v1")  # a new version needs its own schema here
