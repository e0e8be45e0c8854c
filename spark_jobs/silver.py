"""Silver job: bronze events (after the bronze gate) to typed, deduplicated tables.

Run on a cluster with `spark-submit spark_jobs/silver.py --data-dir ./var`.
"""

from __future__ import annotations

import sys
from pathlib import Path

from pyspark.sql import DataFrame, SparkSession

if __package__ in (None, ""):  # spark-submit runs this file as a script
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from quality.checks import gate_bronze  # noqa: E402
from spark_jobs import (  # noqa: E402
    silver_behaviour,
    silver_catalog,
    silver_categories,
    silver_orders,
)
from spark_jobs.errors import LakeErrorCode, LakeJobError  # noqa: E402
from spark_jobs.lake import (  # noqa: E402
    bronze_mark,
    settings_from_argv,
    table_dir,
    write_bronze_mark,
    write_table,
)
from spark_jobs.session import spark_session  # noqa: E402
from storeloop.settings import Settings  # noqa: E402

# table -> (builder, partitioned by dt)
TABLES = {
    "products": (silver_catalog.build_products, False),
    "customers": (silver_catalog.build_customers, False),
    "product_categories": (silver_categories.build_product_categories, False),
    "orders": (silver_orders.build_orders, True),
    "order_items": (silver_orders.build_order_items, True),
    "payments": (silver_orders.build_payments, True),
    "search_impressions": (silver_behaviour.build_search_impressions, True),
    "clicks": (silver_behaviour.build_clicks, True),
    "cart_adds": (silver_behaviour.build_cart_adds, True),
    "recommendation_impressions": (silver_behaviour.build_recommendation_impressions, True),
    "recommendation_clicks": (silver_behaviour.build_recommendation_clicks, True),
    "page_views": (silver_behaviour.build_page_views, True),
}


def read_events(spark: SparkSession, settings: Settings) -> DataFrame:
    """Bronze events that passed the gate, one row per event_id (replays land twice)."""
    path = table_dir(settings, "bronze", "events")
    if not any(path.glob("dt=*/*.parquet")):
        raise LakeJobError(LakeErrorCode.BRONZE_EMPTY, f"no bronze events under {path}")
    return spark.read.parquet(str(path)).drop("dt").dropDuplicates(["event_id"])


def run_silver(settings: Settings, spark: SparkSession | None = None) -> dict[str, int]:
    """The bronze gate, then every silver table rebuilt; returns rows per table."""
    gate_bronze(settings)
    return build_silver(settings, spark or spark_session(settings))


def build_silver(settings: Settings, spark: SparkSession) -> dict[str, int]:
    """Every silver table rebuilt from the bronze events as they are (gated or not); which bronze
    that was goes to `silver/_bronze_mark.json`."""
    events = read_events(spark, settings)
    mark = bronze_mark(events)  # before the cache, whose plan no longer names the files
    events = events.cache()
    try:
        rows = {
            table: write_table(build(events), table_dir(settings, "silver", table), partitioned)
            for table, (build, partitioned) in TABLES.items()
        }
        write_bronze_mark(settings, "silver", mark)
        return rows
    finally:
        events.unpersist()


if __name__ == "__main__":
    print(run_silver(settings_from_argv()))
