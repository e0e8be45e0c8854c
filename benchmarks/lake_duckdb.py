"""The silver job again in DuckDB: the yardstick the Spark job is timed against, same bronze in, the
same tables out (spark_jobs.silver_* say what each table is; this says it in SQL).

Not a second pipeline: nothing reads these tables but the benchmark and its test, which hold
them equal to Spark's row for row (`differences`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import duckdb.func
import pyarrow.dataset as ds

from benchmarks import duckdb_gold
from benchmarks.duckdb_silver import TABLES
from contracts.categories import category_levels


def connect(threads: int, memory_limit: str = "4GB", spill_dir: Path | None = None):  # type: ignore[no-untyped-def]
    con = duckdb.connect()
    # UTC as Spark's session, so instants parse and `dt` days fall as they do there.
    con.execute("SET TimeZone = 'UTC'")
    con.execute(f"SET threads = {threads}")
    con.execute(f"SET memory_limit = '{memory_limit}'")
    if spill_dir is not None:  # DuckDB makes the folder, not its parents
        spill_dir.mkdir(parents=True, exist_ok=True)
        con.execute(f"SET temp_directory = '{spill_dir}'")
    con.execute("SET preserve_insertion_order = false")
    _register_category_levels(con)
    return con


def _register_category_levels(con: duckdb.DuckDBPyConnection) -> None:
    """The category tree's rules as a function of the connection, as Spark runs them as a UDF."""
    node = duckdb.struct_type(
        {"level": "BIGINT", "category_id": "VARCHAR", "category_path": "VARCHAR",
         "category_name": "VARCHAR"}
    )  # fmt: skip

    def levels(category: str | None) -> Any:
        names = ("level", "category_id", "category_path", "category_name")
        return [dict(zip(names, row, strict=True)) for row in category_levels(category)]

    con.create_function(
        "category_levels", levels, ["VARCHAR"], duckdb.list_type(node),
        null_handling=duckdb.func.FunctionNullHandling.SPECIAL,
    )  # fmt: skip


def run_silver(con: duckdb.DuckDBPyConnection, bronze: Path, out: Path) -> dict[str, int]:
    """Every silver table from the bronze events under `bronze` to `out/<table>`; rows per table."""
    files = str(bronze / "dt=*" / "*.parquet")
    # One row per event_id (replays land twice), read once: what Spark's cached `events` is.
    con.execute(
        "CREATE OR REPLACE TEMP TABLE events AS SELECT position, event_id, type, aggregate_id,"
        f" payload, occurred_at FROM read_parquet('{files}', hive_partitioning = false)"
        " QUALIFY row_number() OVER (PARTITION BY event_id) = 1"
    )
    try:
        return {
            name: write(con, build(), out / name, partitioned)
            for name, (build, partitioned) in TABLES.items()
        }
    finally:
        con.execute("DROP TABLE events")


def run_ranking_examples(con: duckdb.DuckDBPyConnection, silver: Path, out: Path) -> int:
    """Gold's ranking_examples from the silver tables under `silver` to `out`; its rows."""
    for table, partitioned in duckdb_gold.INPUTS.items():
        con.execute(f"CREATE OR REPLACE TEMP VIEW {table} AS SELECT * FROM "
                    f"{scan(silver / table, partitioned)}")  # fmt: skip
    return write(con, duckdb_gold.build_ranking_examples(), out, partitioned=True)


def write(con: duckdb.DuckDBPyConnection, query: str, path: Path, partitioned: bool) -> int:
    """Overwrites the table at `path`, as spark_jobs.lake.write_table: partitioned by dt into
    `dt=` folders (files without the column), else one file."""
    con.execute(f"CREATE OR REPLACE TEMP VIEW built AS {query}")
    rows = con.execute("SELECT count(*) FROM built").fetchall()[0][0]
    path.mkdir(parents=True, exist_ok=True)
    if partitioned and rows:
        con.execute(
            f"COPY built TO '{path}' (FORMAT parquet, PARTITION_BY (dt), OVERWRITE_OR_IGNORE true)"
        )
    else:  # no rows: one file still carries the schema for the next reader
        con.execute(f"COPY built TO '{path / 'part-0.parquet'}' (FORMAT parquet)")
    return int(rows)


def differences(
    con: duckdb.DuckDBPyConnection, spark_dir: Path, duck_dir: Path, partitioned: bool
) -> list[str]:
    """How the table at `duck_dir` differs from Spark's at `spark_dir`: columns and their types,
    then rows as multisets (EXCEPT ALL both ways); [] when equal row for row."""
    schemas = [_schema(path, partitioned) for path in (spark_dir, duck_dir)]
    if schemas[0] != schemas[1]:
        return [f"columns differ: spark {schemas[0]}, duckdb {schemas[1]}"]
    spark, duck = (scan(path, partitioned) for path in (spark_dir, duck_dir))
    found = []
    for left, right, name in ((spark, duck, "spark"), (duck, spark, "duckdb")):
        query = f"SELECT count(*) FROM (SELECT * FROM {left} EXCEPT ALL SELECT * FROM {right})"
        extra = con.execute(query).fetchall()[0][0]
        if extra:
            found.append(f"{extra} rows only in {name}'s")
    return found


def _schema(path: Path, partitioned: bool) -> list[tuple[str, str]]:
    dataset = ds.dataset(path, format="parquet", partitioning=_hive() if partitioned else None)
    return [(field.name, str(field.type)) for field in dataset.schema]


def _hive() -> ds.Partitioning:
    import pyarrow as pa

    return ds.partitioning(pa.schema([("dt", pa.string())]), flavor="hive")


def scan(path: Path, partitioned: bool) -> str:
    if not partitioned or not any(path.glob("dt=*")):
        return f"read_parquet('{path}/*.parquet')"
    return (
        f"read_parquet('{path}/*/*.parquet', hive_partitioning = true,"
        " hive_types = {'dt': VARCHAR})"
    )
