"""Where lake tables live and the one way the jobs read and write them."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

import pyarrow.dataset as ds
from pyspark.sql import DataFrame, SparkSession

from spark_jobs.errors import LakeErrorCode, LakeJobError
from storeloop.settings import Settings


def table_dir(settings: Settings, layer: str, table: str) -> Path:
    return settings.lake_dir / layer / table


def write_table(df: DataFrame, path: Path, partitioned: bool) -> int:
    """Overwrites the whole table (it is rebuilt from its inputs) and returns its row count."""
    writer = df.repartition("dt") if partitioned else df.coalesce(1)
    out = writer.write.mode("overwrite")
    if partitioned:
        out = out.partitionBy("dt")
    out.parquet(str(path))
    # Footers only: counting through Spark would run the whole plan a second time.
    rows = ds.dataset(path, format="parquet").count_rows()
    if rows == 0 and partitioned:
        # A partitioned write of no rows leaves no file, so no schema for the next reader.
        df.coalesce(1).write.mode("overwrite").parquet(str(path))
    return rows


def read_table(spark: SparkSession, settings: Settings, layer: str, table: str) -> DataFrame:
    path = table_dir(settings, layer, table)
    if not path.exists():
        raise LakeJobError(LakeErrorCode.SILVER_MISSING, f"{layer} table {table} not at {path}")
    return spark.read.parquet(str(path))


def settings_from_argv(argv: Sequence[str] | None = None) -> Settings:
    """`--data-dir` overrides STORE_DATA_DIR; everything else comes from the environment."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", type=Path, default=None)
    args = parser.parse_args(argv)
    return Settings(data_dir=args.data_dir) if args.data_dir else Settings()
