"""Gold job: silver tables to daily feature snapshots and learning-to-rank labels.

Run on a cluster with `spark-submit spark_jobs/gold.py --data-dir ./var`.
"""

from __future__ import annotations

import sys
from pathlib import Path

from pyspark.sql import SparkSession

if __package__ in (None, ""):  # spark-submit runs this file as a script
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from spark_jobs.gold_activity import build_shopper_activity  # noqa: E402
from spark_jobs.gold_features import build_customer_features, build_product_features  # noqa: E402
from spark_jobs.gold_inputs import Silver  # noqa: E402
from spark_jobs.gold_labels import build_interactions, build_ranking_examples  # noqa: E402
from spark_jobs.lake import (  # noqa: E402
    bronze_mark,
    read_bronze_mark,
    settings_from_argv,
    table_dir,
    write_bronze_mark,
    write_table,
)
from spark_jobs.session import spark_session  # noqa: E402
from spark_jobs.silver import read_events  # noqa: E402
from storeloop.settings import Settings  # noqa: E402


def run_gold(settings: Settings, spark: SparkSession | None = None) -> dict[str, int]:
    """Rebuilds every gold table (partitioned by dt); returns rows per table. Which bronze (and
    which silver) it read goes to `gold/_bronze_mark.json`."""
    spark = spark or spark_session(settings)
    silver = Silver.read(spark, settings)
    days = silver.calendar().cache()
    interactions = build_interactions(silver).cache()
    events = read_events(spark, settings)
    tables = {
        "product_features": build_product_features(silver, days),
        "customer_features": build_customer_features(silver, days, interactions),
        "ranking_examples": build_ranking_examples(silver),
        "interactions": interactions,
        # From the gated bronze events, like silver: the fold reads the log it replays online.
        "shopper_activity": build_shopper_activity(events),
    }
    try:
        rows = {
            name: write_table(frame, table_dir(settings, "gold", name), partitioned=True)
            for name, frame in tables.items()
        }
        # Gold reads bronze itself (shopper_activity) and silver, each as it was then.
        mark = {**bronze_mark(events), "silver": read_bronze_mark(settings.lake_dir, "silver")}
        write_bronze_mark(settings, "gold", mark)
        return rows
    finally:
        days.unpersist()
        interactions.unpersist()


if __name__ == "__main__":
    print(run_gold(settings_from_argv()))
