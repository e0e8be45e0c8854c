"""Copies the silver tables the marts read into the marts database, because PostgreSQL cannot
read the lake's Parquet files in place as DuckDB does. The tables, their columns and types are
the ones dbt's sources declare (dbt/models/staging/_lake__sources.yml), in the schema they name."""

from __future__ import annotations

import io
from functools import cache
from typing import Any

import duckdb
import pyarrow.csv as pa_csv
import sqlalchemy as sa
import yaml  # type: ignore[import-untyped]
from sqlalchemy.pool import NullPool

from storeloop.settings import REPO_ROOT, Settings

SOURCES_FILE = REPO_ROOT / "dbt" / "models" / "staging" / "_lake__sources.yml"
BATCH_ROWS = 100_000


@cache
def declared_sources() -> tuple[str, dict[str, tuple[tuple[str, str], ...]]]:
    """(schema, table -> ((column, type), ...)) of the `lake` source."""
    spec = yaml.safe_load(SOURCES_FILE.read_text())
    (lake,) = (source for source in spec["sources"] if source["name"] == "lake")
    tables = {
        table["name"]: tuple((column["name"], column["data_type"]) for column in table["columns"])
        for table in lake["tables"]
    }
    return lake["schema"], tables


def copy_silver(settings: Settings) -> dict[str, int]:
    """Replaces every declared table with the lake's rows (rows per table) in one transaction: a
    reader sees the previous copy or this one, never part of it. A table without files yet is
    there, empty."""
    if not settings.marts_url:
        raise ValueError("copy_silver needs settings.marts_url (a PostgreSQL database)")
    schema, tables = declared_sources()
    engine = sa.create_engine(settings.marts_url, poolclass=NullPool)
    rows: dict[str, int] = {}
    try:
        with engine.begin() as connection, duckdb.connect() as lake:
            lake.execute("set TimeZone = 'UTC'")
            connection.execute(sa.text(f'create schema if not exists "{schema}"'))
            for table, columns in tables.items():
                _replace_table(connection, schema, table, columns)
                rows[table] = _copy_rows(connection, lake, settings, schema, table, columns)
    finally:
        engine.dispose()
    return rows


def _replace_table(
    connection: sa.Connection, schema: str, table: str, columns: tuple[tuple[str, str], ...]
) -> None:
    """Empties the table; recreates it when the declared columns changed (dbt's staging views
    over it go too, and the build that follows makes them again)."""
    existing = connection.execute(
        sa.text(
            "select column_name from information_schema.columns "
            "where table_schema = :schema and table_name = :table order by ordinal_position"
        ),
        {"schema": schema, "table": table},
    ).scalars()
    if list(existing) == [name for name, _ in columns]:
        connection.execute(sa.text(f'truncate "{schema}"."{table}"'))
        return
    connection.execute(sa.text(f'drop table if exists "{schema}"."{table}" cascade'))
    definition = ", ".join(f'"{name}" {data_type}' for name, data_type in columns)
    connection.execute(sa.text(f'create table "{schema}"."{table}" ({definition})'))


def _copy_rows(
    connection: sa.Connection,
    lake: duckdb.DuckDBPyConnection,
    settings: Settings,
    schema: str,
    table: str,
    columns: tuple[tuple[str, str], ...],
) -> int:
    files = settings.lake_dir / "silver" / table / "**" / "*.parquet"
    if not lake.execute("select count(*) from glob(?)", [str(files)]).fetchone()[0]:  # type: ignore[index]
        return 0
    source = (
        f"read_parquet('{files}', hive_partitioning = true, union_by_name = true)"  # our own path
    )
    present = {row[0] for row in lake.execute(f"describe select * from {source}").fetchall()}  # noqa: S608 - our path
    select = ", ".join(
        f'cast("{name}" as {data_type})' if name in present else f"cast(null as {data_type})"
        for name, data_type in columns
    )
    names = ", ".join(f'"{name}"' for name, _ in columns)
    batches: Any = lake.sql(f"select {select} from {source}").to_arrow_reader(BATCH_ROWS)  # noqa: S608 - our columns
    copied = 0
    driver: Any = connection.connection.driver_connection  # psycopg's, for COPY
    with (
        driver.cursor() as cursor,
        cursor.copy(f'copy "{schema}"."{table}" ({names}) from stdin (format csv)') as copy,
    ):
        for batch in batches:
            buffer = io.BytesIO()
            pa_csv.write_csv(batch, buffer, pa_csv.WriteOptions(include_header=False))
            copy.write(buffer.getvalue())
            copied += batch.num_rows
    return copied
