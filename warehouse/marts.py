"""Where the analysts' marts live and how to read them: a DuckDB file under the data dir
(embedded), or the PostgreSQL database of `settings.marts_url` (cluster). dbt builds the same
models in either (dbt/profiles.yml names them `lake` and `marts`)."""

from __future__ import annotations

import re
from typing import Any

import duckdb
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from storeloop.settings import Settings
from warehouse.errors import WarehouseError, WarehouseErrorCode

MARTS = (
    "fct_orders", "dim_products", "dim_customers", "daily_revenue", "fct_model_outcomes",
    "fct_experiment_arms", "seller_daily_sales", "fct_daily_funnel", "category_daily_sales",
)  # fmt: skip
_NAMED_PARAMETER = re.compile(r"(?<!:):(\w+)")


def dbt_target(settings: Settings) -> str:
    return "marts" if settings.marts_url else "lake"


def location(settings: Settings) -> str:
    """Where the marts are, fit to print: the file, or the database URL without its password."""
    if settings.marts_url:
        return make_url(settings.marts_url).render_as_string(hide_password=True)
    return str(settings.warehouse_path)


def query_marts(
    settings: Settings, sql: str, parameters: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """Rows of `sql` as dicts; `:name` parameters, unqualified mart names (each engine's default
    schema holds them)."""
    if settings.marts_url:
        engine = sa.create_engine(settings.marts_url, poolclass=NullPool)
        try:
            with engine.connect() as connection:
                result = connection.execute(sa.text(sql), parameters or {})
                return [dict(row) for row in result.mappings()]
        finally:
            engine.dispose()
    if not settings.warehouse_path.exists():
        raise WarehouseError(
            WarehouseErrorCode.WAREHOUSE_MISSING,
            f"{settings.warehouse_path}: run build_marts first",
        )
    with _read_only(settings) as connection:
        used = set(_NAMED_PARAMETER.findall(sql))  # DuckDB refuses parameters a query lacks
        values = {name: value for name, value in (parameters or {}).items() if name in used}
        cursor = connection.execute(_NAMED_PARAMETER.sub(r"$\1", sql), values)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]


def _read_only(settings: Settings) -> duckdb.DuckDBPyConnection:
    """The DuckDB file for reading; WAREHOUSE_BUSY while a dbt build holds it for writing (in
    another process: a file lock; in this one: a connection DuckDB will not share)."""
    try:
        return duckdb.connect(str(settings.warehouse_path), read_only=True)
    except (duckdb.IOException, duckdb.ConnectionException) as error:
        held = isinstance(error, duckdb.ConnectionException) or "lock" in str(error).lower()
        if not held:
            raise
        raise WarehouseError(
            WarehouseErrorCode.WAREHOUSE_BUSY, f"{settings.warehouse_path} is being written"
        ) from error


def mart_row_counts(settings: Settings) -> dict[str, int]:
    """Rows per mart; a mart left out of a partial (`select`) build is left out here too."""
    schema = "public" if settings.marts_url else "main"
    built = {
        row["table_name"]
        for row in query_marts(
            settings,
            "select table_name from information_schema.tables where table_schema = :schema",
            {"schema": schema},
        )
    }
    counted = [mart for mart in MARTS if mart in built]
    if not counted:
        return {}
    # one query for all of them: each query_marts call opens its own connection
    counts = [f"select '{mart}' as mart, count(*) as n from {mart}" for mart in counted]  # noqa: S608 - names from MARTS
    sql = " union all ".join(counts)
    rows = {row["mart"]: row["n"] for row in query_marts(settings, sql)}
    return {mart: rows[mart] for mart in counted}
