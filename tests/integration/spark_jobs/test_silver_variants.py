"""Silver products carry the variants of the event contract: a variant's `parent_id` and `options`,
its parent's `option_names` (JSON text), null on standalone products; Spark and its DuckDB twin
read them alike."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import duckdb
import pytest

from benchmarks.duckdb_silver import build_products
from contracts import events as E
from spark_jobs import payloads as P
from spark_jobs.silver_catalog import build_products as spark_products

pytestmark = pytest.mark.spark

AT = datetime(2024, 5, 1, 10, 0, tzinfo=UTC)


def _product(pid: str, **family) -> dict:
    return {
        "product_id": pid, "seller_id": "s-1", "title": pid, "description": "", "brand": "Acme",
        "category": "Shoes", "price": "40.00", "currency": "USD", "rating": 0.0,
        "rating_count": 0, "image_url": "", "created_at": AT.isoformat(),
        "updated_at": AT.isoformat(), **family,
    }  # fmt: skip


EVENTS = [
    (E.PRODUCT_CREATED, _product("p-shoe", option_names=["size", "colour"])),
    (
        E.PRODUCT_CREATED,
        _product("p-8r", parent_id="p-shoe", options={"size": "8", "colour": "Red"}),
    ),  # fmt: skip
    (E.PRODUCT_CREATED, _product("p-solo")),
]
EXPECTED = {
    "p-shoe": (None, None, '["size","colour"]'),
    "p-8r": ("p-shoe", '{"colour":"Red","size":"8"}', None),
    "p-solo": (None, None, None),
}


def _rows():  # type: ignore[no-untyped-def]
    return [
        (n, f"e-{n}", kind, payload["product_id"], json.dumps(payload, sort_keys=True), AT)
        for n, (kind, payload) in enumerate(EVENTS, start=1)
    ]


def test_spark_and_duckdb_silver_products_carry_parent_and_options(spark):
    events = spark.createDataFrame(_rows(), P.ENVELOPE)
    found = {
        row.product_id: (row.parent_id, row.options, row.option_names)
        for row in spark_products(events).collect()
    }
    assert found == EXPECTED
    for value in (v for family in found.values() for v in family[1:] if v):
        json.loads(value)

    con = duckdb.connect()
    con.execute(
        "CREATE TEMP TABLE events (position BIGINT, event_id VARCHAR, type VARCHAR,"
        " aggregate_id VARCHAR, payload VARCHAR, occurred_at TIMESTAMPTZ)"
    )
    con.executemany("INSERT INTO events VALUES (?, ?, ?, ?, ?, ?)", _rows())
    twin = con.execute(
        f"SELECT product_id, parent_id, options, option_names FROM ({build_products()})"
    ).fetchall()
    assert {pid: tuple(rest) for pid, *rest in twin} == EXPECTED
