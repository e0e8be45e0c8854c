"""Where lake tables live and the one way the jobs read and write them."""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pyarrow.compute as pc
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


BRONZE_MARK = "_bronze_mark.json"


def bronze_mark(events: DataFrame) -> dict[str, int]:
    """Which bronze a job read: the files Spark listed for `events` (so a part landing while the
    job runs is not counted), their rows and the highest position among them. A rebuild from
    bronze alone cuts bronze at this mark to compare like with like."""
    files = [unquote(urlsplit(uri).path) for uri in events.inputFiles()]
    if not files:
        return {"files": 0, "rows": 0, "max_position": 0}
    positions = ds.dataset(files, format="parquet").to_table(columns=["position"])["position"]
    return {
        "files": len(files),
        "rows": len(positions),
        "max_position": int(pc.max(positions).as_py() or 0),
    }


def write_bronze_mark(settings: Settings, layer: str, mark: dict[str, Any]) -> None:
    folder = settings.lake_dir / layer
    folder.mkdir(parents=True, exist_ok=True)
    temp = folder / f".{BRONZE_MARK}.tmp"
    temp.write_text(json.dumps(mark, indent=2) + "\n")
    temp.replace(folder / BRONZE_MARK)


def read_bronze_mark(lake_dir: Path, layer: str) -> dict[str, Any] | None:
    path = lake_dir / layer / BRONZE_MARK
    return json.loads(path.read_text()) if path.exists() else None
