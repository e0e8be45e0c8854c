"""Silver order tables: orders with their latest status, order_items, payments."""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from contracts import events as E
from spark_jobs import payloads as P

_PAYMENT_STATUS = {
    E.PAYMENT_AUTHORIZED: "authorized",
    E.PAYMENT_CAPTURED: "captured",
    E.PAYMENT_DECLINED: "declined",
}


def placed_orders(events: DataFrame) -> DataFrame:
    """One OrderPlaced per order (the first, should the log hold a retried placement)."""
    placed = P.parsed(events, [E.ORDER_PLACED], P.ORDER_PLACED)
    first = placed.withColumn("log_position", -F.col("log_position"))
    return (
        P.latest(first, "order_id")
        .withColumn("placed_at", F.coalesce(P.instant("placed_at"), "event_at"))
        .withColumn("dt", P.day("placed_at"))
    )


def build_orders(events: DataFrame) -> DataFrame:
    placed = placed_orders(events)
    changes = P.latest(P.parsed(events, [E.ORDER_STATUS_CHANGED], P.ORDER_STATUS), "order_id")
    units = F.aggregate("items", F.lit(0).cast("long"), lambda acc, item: acc + item.quantity)
    return placed.join(
        changes.select("order_id", F.col("to_status").alias("latest_status")), "order_id", "left"
    ).select(
        "order_id",
        "customer_id",
        F.coalesce("latest_status", "status").alias("status"),
        "currency",
        P.money("total").alias("total"),
        units.alias("item_count"),
        "placed_at",
        "dt",
    )


def build_order_items(events: DataFrame) -> DataFrame:
    items = placed_orders(events).select(
        "order_id", "customer_id", "placed_at", "dt", F.explode("items").alias("item")
    )
    return items.select(
        "order_id",
        "customer_id",
        F.col("item.product_id").alias("product_id"),
        F.col("item.quantity").cast("long").alias("quantity"),
        F.col("item.unit_price").try_cast("double").alias("unit_price"),
        (F.col("item.quantity") * F.col("item.unit_price").try_cast("double")).alias("line_total"),
        # What the line is credited to; null in orders placed before lines carried it.
        F.col("item.search_id").alias("search_id"),
        F.col("item.recommendation_id").alias("recommendation_id"),
        # Whose offer the line was bought from; null in orders placed before offers.
        F.col("item.offer_id").alias("offer_id"),
        F.col("item.seller_id").alias("seller_id"),
        "placed_at",
        "dt",
    )


def build_payments(events: DataFrame) -> DataFrame:
    """One row per payment with its latest status (a capture follows its authorization)."""
    payments = P.latest(P.parsed(events, list(_PAYMENT_STATUS), P.PAYMENT), "payment_id")
    status = F.create_map(*[F.lit(part) for pair in _PAYMENT_STATUS.items() for part in pair])
    return payments.select(
        "payment_id",
        "order_id",
        status[F.col("type")].alias("status"),
        P.money("amount").alias("amount"),
        "currency",
        "decline_code",
        F.col("event_at").alias("occurred_at"),
        P.day("event_at").alias("dt"),
    )
