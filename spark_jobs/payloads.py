"""Explicit Spark schemas of the event payloads (keys from transactional.common.events)."""

from __future__ import annotations

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F
from pyspark.sql.types import (
    ArrayType,
    DoubleType,
    LongType,
    StringType,
    StructField,
    StructType,
)


def _struct(**fields: object) -> StructType:
    return StructType([StructField(name, kind, True) for name, kind in fields.items()])  # type: ignore[arg-type]


S, L, D = StringType(), LongType(), DoubleType()

PRODUCT = _struct(
    product_id=S, seller_id=S, title=S, description=S, brand=S, category=S, price=S,
    currency=S, rating=D, rating_count=L, image_url=S, created_at=S, updated_at=S,
)  # fmt: skip
PRODUCT_DELETED = _struct(product_id=S)
STOCK = _struct(product_id=S, quantity=L, delta=L, reason=S)
CUSTOMER = _struct(customer_id=S, name=S, email=S, role=S, registered_at=S)
CART_ITEM = _struct(cart_id=S, customer_id=S, product_id=S, quantity=L, unit_price=S, search_id=S)
ORDER_PLACED = _struct(
    order_id=S, customer_id=S, status=S, currency=S, total=S, placed_at=S,
    items=ArrayType(_struct(product_id=S, quantity=L, unit_price=S)),
)  # fmt: skip
ORDER_STATUS = _struct(order_id=S, customer_id=S, from_status=S, to_status=S, reason=S)
PAYMENT = _struct(payment_id=S, order_id=S, amount=S, currency=S, gateway_ref=S, decline_code=S)
SEARCH = _struct(
    search_id=S, session_id=S, customer_id=S, query=S, ranker=S,
    results=ArrayType(_struct(product_id=S, position=L, score=D)),
)  # fmt: skip
CLICK = _struct(search_id=S, session_id=S, customer_id=S, product_id=S, position=L)


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
