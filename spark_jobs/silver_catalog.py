"""Silver catalog tables: products (latest snapshot, stock, deletion) and customers."""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from contracts import events as E
from spark_jobs import payloads as P


def build_products(events: DataFrame) -> DataFrame:
    snapshots = P.latest(
        P.parsed(events, [E.PRODUCT_CREATED, E.PRODUCT_UPDATED], P.PRODUCT), "product_id"
    )
    stock = P.latest(P.parsed(events, [E.STOCK_CHANGED], P.STOCK), "product_id").select(
        "product_id", F.col("quantity").alias("stock")
    )
    deleted = (
        P.parsed(events, [E.PRODUCT_DELETED], P.PRODUCT_DELETED)
        .select("product_id", F.lit(True).alias("is_deleted"))
        .dropDuplicates(["product_id"])
    )
    return (
        snapshots.join(stock, "product_id", "left")
        .join(deleted, "product_id", "left")
        .select(
            "product_id",
            "seller_id",
            "title",
            "description",
            "brand",
            "category",
            P.money("price").alias("price"),
            "currency",
            F.col("rating").cast("double").alias("rating"),
            F.coalesce("rating_count", F.lit(0)).cast("long").alias("rating_count"),
            "image_url",
            # A product never restocked has nothing on hand.
            F.coalesce("stock", F.lit(0)).cast("long").alias("stock"),
            F.coalesce(P.instant("created_at"), "event_at").alias("created_at"),
            F.coalesce(P.instant("updated_at"), "event_at").alias("updated_at"),
            F.coalesce("is_deleted", F.lit(False)).alias("is_deleted"),
            # Variants: null on a standalone product; `options` and `option_names` JSON text.
            "parent_id",
            "options",
            "option_names",
        )
    )


def build_customers(events: DataFrame) -> DataFrame:
    registered = P.latest(P.parsed(events, [E.CUSTOMER_REGISTERED], P.CUSTOMER), "customer_id")
    return registered.select(
        "customer_id",
        "name",
        "email",
        "role",
        F.coalesce(P.instant("registered_at"), "event_at").alias("registered_at"),
    )
