"""The one SparkSession of a process: local by default, the cluster's when run by spark-submit."""

from __future__ import annotations

import logging
import os
import sys

from pyspark.sql import SparkSession

from storeloop.settings import REPO_ROOT, Settings


def spark_session(settings: Settings) -> SparkSession:
    """Shared by every job in the process (getOrCreate), so Airflow tasks reuse one JVM."""
    # Python workers run this interpreter and its packages, not whatever `python3` is on the
    # PATH (pyspark reads only the variable, not spark.pyspark.python, when it starts a context).
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = (
        SparkSession.builder.appName("storeloop")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.catalogImplementation", "in-memory")
        # Instants as UTC-adjusted micros, so pandas and Feast read them back tz-aware.
        .config("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS")
        # `dt=` stays the string it is in the path, as pandas and Feast readers see it.
        .config("spark.sql.sources.partitionColumnTypeInference.enabled", "false")
        # Dates derived on executors must agree with the driver's, whatever the host's zone.
        .config("spark.driver.extraJavaOptions", "-Duser.timezone=UTC")
        .config("spark.executor.extraJavaOptions", "-Duser.timezone=UTC")
        # Python workers (the gold shopper_activity fold) import this repo's packages from any
        # working directory.
        .config("spark.executorEnv.PYTHONPATH", str(REPO_ROOT))
    )
    # spark-submit starts the JVM itself and passes its own --master; do not override it.
    if "PYSPARK_GATEWAY_PORT" not in os.environ:
        builder = builder.master(settings.spark_master)
    # py4j says "Closing down clientserver connection" at INFO when its connections are collected
    # at interpreter exit, after pytest or Airflow has closed the stream: a "Logging error"
    # traceback for nothing that went wrong.
    logging.getLogger("py4j").setLevel(logging.WARNING)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("WARN")
    return spark
