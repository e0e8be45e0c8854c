"""The analysts' marts on PostgreSQL (dbt-postgres, the cluster profile's `marts` database): the
same silver lake gives the same marts, row for row, as the DuckDB build, and the export reads
them there. Against the PostgreSQL server make test starts (scripts/services.sh)."""

from __future__ import annotations

import json
import os
import shutil
from datetime import date

import pytest
import sqlalchemy as sa

from storeloop.settings import Settings
from tests.integration.warehouse.conftest import write_silver
from warehouse.dbt_build import build_marts, generate_docs
from warehouse.export import read_marts
from warehouse.marts import MARTS, query_marts
from warehouse.seller_sales import MartsSellerSales
from warehouse.silver_copy import copy_silver, declared_sources

pytestmark = [pytest.mark.slow, pytest.mark.postgres]


@pytest.fixture(scope="module")
def marts_url() -> str:
    url = os.environ.get("STORE_TEST_MARTS_URL")
    if not url:
        pytest.fail("STORE_TEST_MARTS_URL is not set: run `source scripts/services.sh`")
    engine = sa.create_engine(url)
    with engine.begin() as connection:  # a database of its own: start it empty
        connection.execute(sa.text("drop schema if exists silver cascade"))
        connection.execute(sa.text("drop schema public cascade"))
        connection.execute(sa.text("create schema public"))
    engine.dispose()
    return url


@pytest.fixture(scope="module")
def built_on_postgres(marts_url, tmp_path_factory):
    settings = Settings(data_dir=tmp_path_factory.mktemp("marts-pg"), marts_url=marts_url)
    settings.ensure_dirs()
    write_silver(settings.lake_dir)
    return settings, build_marts(settings)


def _rows(settings: Settings, mart: str) -> list[tuple]:
    rows = query_marts(settings, f"select * from {mart}")
    return sorted((tuple(row.items()) for row in rows), key=repr)


def test_dbt_postgres_builds_every_mart_and_passes_its_tests(built_on_postgres):
    settings, summary = built_on_postgres
    assert summary["marts"].startswith("postgresql+psycopg://") and "***" in summary["marts"]
    assert set(summary["models"]) >= set(MARTS)
    assert set(summary["models"].values()) == {"success"}
    assert summary["tests"].get("pass", 0) >= 40
    assert "fail" not in summary["tests"] and "error" not in summary["tests"]
    assert len(summary["unit_tests"]) == 8
    assert summary["row_counts"]["fct_orders"] == 4


def test_every_mart_equals_the_duckdb_build_of_the_same_lake(built_warehouse, built_on_postgres):
    duckdb_settings, duckdb_summary = built_warehouse
    settings, summary = built_on_postgres
    assert summary["row_counts"] == duckdb_summary["row_counts"]
    for mart in MARTS:
        assert _rows(settings, mart) == _rows(duckdb_settings, mart), mart


def test_the_sellers_sales_read_the_same_from_postgresql(built_warehouse, built_on_postgres):
    duckdb_settings, _ = built_warehouse
    settings, _ = built_on_postgres
    read = MartsSellerSales(settings).days_of("s-1", 7, date(2026, 1, 2))
    assert [(d.day, d.paid_orders, str(d.gross_revenue)) for d in read] == [
        (date(2026, 1, 1), 2, "36.50"),
    ]  # day 2's only line was bought from s-2's offer
    assert read == MartsSellerSales(duckdb_settings).days_of("s-1", 7, date(2026, 1, 2))
    other = MartsSellerSales(settings).days_of("s-2", 7, date(2026, 1, 2))
    assert [(d.day, d.paid_orders, str(d.gross_revenue)) for d in other] == [
        (date(2026, 1, 2), 1, "10.00"),
    ]


def test_every_declared_silver_table_is_copied(built_on_postgres):
    settings, summary = built_on_postgres
    schema, tables = declared_sources()
    assert set(summary["silver_copied"]) == set(tables)
    assert summary["silver_copied"]["orders"] == 4
    for table in tables:
        counted = query_marts(settings, f"select count(*) as n from {schema}.{table}")
        assert counted == [{"n": summary["silver_copied"][table]}]


def test_copying_again_replaces_the_rows_instead_of_adding_them(built_on_postgres):
    settings, summary = built_on_postgres
    assert copy_silver(settings) == summary["silver_copied"]
    assert copy_silver(settings) == summary["silver_copied"]


def test_the_export_reads_the_same_rows_from_postgresql(built_warehouse, built_on_postgres):
    duckdb_settings, _ = built_warehouse
    settings, _ = built_on_postgres
    day = date(2026, 1, 1)
    on_postgres, on_duckdb = read_marts(settings, day), read_marts(duckdb_settings, day)
    assert on_postgres["fct_orders"] and on_postgres == on_duckdb


def test_a_silver_table_without_files_yet_is_there_empty(built_on_postgres):
    settings, summary = built_on_postgres  # last: it leaves the copy without clicks
    assert summary["silver_copied"]["clicks"] > 0
    shutil.rmtree(settings.lake_dir / "silver" / "clicks")
    assert copy_silver(settings)["clicks"] == 0
    schema, tables = declared_sources()
    columns = query_marts(
        settings,
        "select column_name from information_schema.columns where table_schema = :schema "
        "and table_name = 'clicks' order by ordinal_position",
        {"schema": schema},
    )
    assert [row["column_name"] for row in columns] == [name for name, _ in tables["clicks"]]


def test_dbt_docs_describe_every_mart_with_its_postgresql_columns(built_on_postgres):
    settings, _ = built_on_postgres
    index = generate_docs(settings)
    catalog = json.loads((index.parent / "catalog.json").read_text())
    described = {node["metadata"]["name"]: node for node in catalog["nodes"].values()}
    assert set(MARTS) <= set(described)
    assert index.stat().st_size > 0
    revenue = described["daily_revenue"]["columns"]["revenue"]
    assert revenue["type"] == "numeric(18,2)"
    assert described["daily_revenue"]["metadata"]["schema"] == "public"
