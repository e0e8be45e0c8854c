"""Spark schemas of the event payloads, derived from the contract (contracts.events.PAYLOADS)."""

from __future__ import annotations

from typing import Any

from pyspark.sql import Column, DataFrame, SparkSession, Window
from pyspark.sql import functions as F
from pyspark.sql.types import (
    ArrayType,
    DataType,
    DoubleType,
    LongType,
    StringType,
    StructField,
    StructType,
    TimestampType,
)

from contracts import events as E
from contracts.events import Schema


def spark_schema(schema: Schema) -> StructType:
    """The Spark struct of a payload schema of the contract; every field nullable (older events
    lack keys added since, and a malformed value must become null, not fail the job)."""
    return StructType([StructField(name, _spark_type(kind), True) for name, kind in schema.items()])


def _spark_type(kind: Any) -> DataType:
    if isinstance(kind, list):
        return ArrayType(spark_schema(kind[0]))
    # Money and instants stay text here; `money` and `instant` below cast them where used. A
    # `json` value read as a string is its JSON text, as Spark's JSON reader copies it.
    return {E.LONG: LongType(), E.DOUBLE: DoubleType()}.get(kind, StringType())


def of(event_type: str) -> StructType:
    return spark_schema(E.PAYLOADS[event_type])


PRODUCT = of(E.PRODUCT_CREATED)
PRODUCT_DELETED = of(E.PRODUCT_DELETED)
STOCK = of(E.STOCK_CHANGED)
CUSTOMER = of(E.CUSTOMER_REGISTERED)
CART_ITEM = of(E.CART_ITEM_ADDED)
ORDER_PLACED = of(E.ORDER_PLACED)
ORDER_STATUS = of(E.ORDER_STATUS_CHANGED)
PAYMENT = of(E.PAYMENT_CAPTURED)
SEARCH = of(E.SEARCH_PERFORMED)
CLICK = of(E.SEARCH_RESULT_CLICKED)
RECOMMENDATIONS = of(E.RECOMMENDATIONS_SHOWN)
RECOMMENDATION_CLICK = of(E.RECOMMENDATION_CLICKED)
PAGE_VIEW = of(E.PAGE_VIEWED)

# The envelope as bronze holds it (consumers.lake_writer.BRONZE_EVENTS_SCHEMA).
ENVELOPE = StructType(
    [
        StructField("position", LongType(), True),
        StructField("event_id", StringType(), True),
        StructField("type", StringType(), True),
        StructField("aggregate_id", StringType(), True),
        StructField("payload", StringType(), True),
        StructField("occurred_at", TimestampType(), True),
    ]
)


def no_events(spark: SparkSession) -> DataFrame:
    """An empty bronze: what a silver builder makes of it is that table, empty, with its schema."""
    return spark.createDataFrame([], ENVELOPE)


def parsed(events: DataFrame, types: list[str], schema: StructType) -> DataFrame:
    """Events of these types: payload keys as columns, plus the envelope's `type`, `log_position`
    and `event_at` (renamed because payloads have their own `position`)."""
    return (
        events.filter(F.col("type").isin(types))
        .select(
            "type",
            F.col("position").alias("log_position"),
            F.col("occurred_at").alias("event_at"),
            F.from_json("payload", schema).alias("p"),
        )
        .select("type", "log_position", "event_at", "p.*")
    )


def money(column: str) -> Column:
    """Decimal strings to double; a malformed amount becomes null instead of failing the job."""
    return F.col(column).try_cast("double")


def instant(column: str) -> Column:
    """ISO 8601 strings with offset to UTC timestamps (null when malformed)."""
    return F.col(column).try_cast("timestamp")


def day(column: str | Column) -> Column:
    return F.date_format(column, "yyyy-MM-dd")


def latest(df: DataFrame, key: str | list[str]) -> DataFrame:
    """The last event per key in log order (position is the log's total order)."""
    keys = [key] if isinstance(key, str) else key
    order = Window.partitionBy(*keys).orderBy(F.col("log_position").desc())
    return df.withColumn("_rank", F.row_number().over(order)).filter("_rank = 1").drop("_rank")
