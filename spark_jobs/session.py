"""The one SparkSession of a process: local by default, the cluster's when run by spark-submit."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pyspark import SparkContext
from pyspark.sql import SparkSession

from storeloop.settings import REPO_ROOT, Settings

# Spark's default log4j2 profile announces itself on stderr at every JVM start; ours does not, and
# logs warnings and errors only.
LOG4J2_CONFIG = Path(__file__).with_name("log4j2.properties")


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
        .config("spark.driver.extraJavaOptions", f"-Duser.timezone=UTC {driver_log_option()}")
        .config("spark.executor.extraJavaOptions", "-Duser.timezone=UTC")
        # Python workers (the gold shopper_activity fold) import this repo's packages from any
        # working directory.
        .config("spark.executorEnv.PYTHONPATH", str(REPO_ROOT))
    )
    # spark-submit starts the JVM itself and passes its own --master; do not override it.
    launching = "PYSPARK_GATEWAY_PORT" not in os.environ
    if launching:
        builder = builder.master(settings.spark_master)
        if settings.spark_master.startswith("local"):
            # Without it Spark warns, twice per JVM, that the hostname resolves to a loopback
            # address and it picked the first interface instead: a local session needs no other.
            os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    # py4j says "Closing down clientserver connection" at INFO when its connections are collected
    # at interpreter exit, after pytest or Airflow has closed the stream: a "Logging error"
    # traceback for nothing that went wrong.
    logging.getLogger("py4j").setLevel(logging.WARNING)
    if launching and SparkContext._gateway is None:
        with jvm_output_to(settings.reports_dir / "spark.log"):
            spark = builder.getOrCreate()
    else:
        spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("WARN")
    return spark


def driver_log_option() -> str:
    return f"-Dlog4j2.configurationFile={LOG4J2_CONFIG.as_uri()}"


@contextmanager
def jvm_output_to(path: Path) -> Iterator[None]:
    """The JVM started inside the block writes its stdout and stderr to `path` for its life.

    The JVM prints a notice of its incubator modules before any logging is configured, and its
    log4j warnings (a block cached twice, no native Hadoop library) are not the reader's to act
    on; it inherits the process's file descriptors 1 and 2, so they point at the log while it
    starts. A failed start raises as before, with a note naming the log.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    try:
        with path.open("ab") as log:
            os.dup2(log.fileno(), 1)
            os.dup2(log.fileno(), 2)
            yield
    except Exception as error:
        error.add_note(f"the Spark JVM's output is in {path}")
        raise
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        for fd, original in zip((1, 2), saved, strict=True):
            os.dup2(original, fd)
            os.close(original)
