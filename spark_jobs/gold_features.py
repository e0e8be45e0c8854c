"""Gold daily feature snapshots: product_features (7-day windows) and customer_features (30-day).

Each table's columns are the ones its Feast view declares (features.repo.definitions): the jobs
say how a column is computed, `select_declared` says which columns gold holds.
"""

from __future__ import annotations

from collections.abc import Mapping

from pyspark.sql import Column, DataFrame, GroupedData
from pyspark.sql import functions as F

from features.declared import gold_columns
from spark_jobs.errors import LakeErrorCode, LakeJobError
from spark_jobs.gold_inputs import Silver, end_of_day, rolling_sums, top_value


def select_declared(frame: DataFrame, view: str, computed: Mapping[str, Column]) -> DataFrame:
    """The gold columns of Feast view `view` (plus dt), each the `computed` expression of that
    name or else the frame's column; fails naming every declared column it has neither for."""
    wanted = [*gold_columns(view), "dt"]
    missing = [c for c in wanted if c not in computed and c not in frame.columns]
    if missing:
        raise LakeJobError(
            LakeErrorCode.GOLD_COLUMN_MISSING, f"gold {view} cannot make declared {missing}"
        )
    return frame.select(*[computed[c].alias(c) if c in computed else F.col(c) for c in wanted])


def build_product_features(silver: Silver, days: DataFrame) -> DataFrame:
    """One row per product per day from the day it was created (its latest catalog snapshot).

    The family_ fields count over the product's family, `coalesce(parent_id, product_id)` (a
    variant with its parent and siblings, a standalone product alone): search shows one variant
    of a family, and a family whose sales are spread over its sizes should not look weak there."""
    products = silver.products.withColumn("family_id", F.coalesce("parent_id", "product_id"))
    grid = products.crossJoin(days).filter(F.col("day") >= F.to_date("created_at"))
    medians = grid.groupBy("day", "category").agg(F.median("price").alias("category_median"))
    names = {m: f"{m}_7d" for m in ("orders", "units", "impressions", "clicks")}
    windows = rolling_sums(grid, "product_id", daily_activity(silver), names, days=7)
    families = products.select("product_id", "family_id")
    family_names = {m: f"family_{m}_7d" for m in ("orders", "impressions", "clicks")}
    family_windows = rolling_sums(
        grid.select("family_id", "day").distinct(),
        "family_id",
        daily_activity(silver, families),
        family_names,
        days=7,
    )
    computed = {
        "event_timestamp": end_of_day(),
        "price_rel_category": F.col("price") / F.col("category_median"),
        "rating": F.coalesce("rating", F.lit(0.0)),
        "in_stock": (F.col("stock") > 0).cast("long"),
        **{name: F.col(name).cast("long") for name in names.values()},
        "ctr_7d": (F.col("clicks_7d") + 1) / (F.col("impressions_7d") + 20),
        "popularity": F.log1p("units_7d"),
        "family_orders_7d": F.col("family_orders_7d").cast("long"),
        "family_ctr_7d": (F.col("family_clicks_7d") + 1) / (F.col("family_impressions_7d") + 20),
        "dt": F.date_format("day", "yyyy-MM-dd"),
    }
    snapshots = (
        grid.join(medians, ["day", "category"], "left")
        .join(windows, ["product_id", "day"])
        .join(family_windows, ["family_id", "day"])
    )
    return select_declared(snapshots, "product_features", computed)


def daily_activity(silver: Silver, families: DataFrame | None = None) -> DataFrame:
    """Per (product_id, d): distinct orders, units, impressions and clicks of that day; given
    `families` (product_id, family_id), per (family_id, d) instead, an order buying two variants
    of one family counted once. An order is placed on one day, so daily distinct orders sum to
    distinct orders over any window of days."""
    key = "product_id" if families is None else "family_id"

    def by_key(frame: DataFrame, at: str) -> GroupedData:
        keyed = frame if families is None else frame.join(families, "product_id")
        return keyed.groupBy(key, F.to_date(at).alias("d"))

    purchases = by_key(silver.purchases(), "placed_at").agg(
        F.countDistinct("order_id").alias("orders"), F.sum("quantity").alias("units")
    )
    impressions = by_key(silver.search_impressions, "searched_at").agg(
        F.count("*").alias("impressions")
    )
    clicks = by_key(silver.clicks, "clicked_at").agg(F.count("*").alias("clicks"))
    return purchases.unionByName(impressions, allowMissingColumns=True).unionByName(
        clicks, allowMissingColumns=True
    )


def build_customer_features(silver: Silver, days: DataFrame, interactions: DataFrame) -> DataFrame:
    """One row per customer (role customer, or anyone with activity) per day of data."""
    registered = silver.customers.filter(F.col("role") == "customer").select("customer_id")
    active = interactions.select("customer_id")
    grid = registered.unionByName(active).distinct().crossJoin(days)
    kept = silver.orders.filter(F.col("status") != "cancelled")
    orders = kept.groupBy("customer_id", F.to_date("placed_at").alias("d")).agg(
        F.count("*").alias("orders"), F.sum("total").alias("spend")
    )
    clicks = silver.clicks.groupBy("customer_id", F.to_date("clicked_at").alias("d")).agg(
        F.count("*").alias("clicks")
    )
    daily = orders.unionByName(clicks, allowMissingColumns=True)
    sums = {"orders": "orders_30d", "spend": "spend_30d", "clicks": "clicks_30d"}
    windows = rolling_sums(grid, "customer_id", daily, sums, days=30)
    weighted = interactions.join(
        silver.products.select("product_id", "category", "brand"), "product_id"
    ).withColumn("d", F.to_date("event_timestamp"))
    aov = F.when(F.col("orders_30d") > 0, F.col("spend_30d") / F.col("orders_30d"))
    computed = {
        "event_timestamp": end_of_day(),
        "orders_30d": F.col("orders_30d").cast("long"),
        "spend_30d": F.col("spend_30d").cast("double"),
        "avg_order_value": F.coalesce(aov, F.lit(0.0)),
        "clicks_30d": F.col("clicks_30d").cast("long"),
        "top_category": F.col("category"),
        "top_brand": F.col("brand"),
        "dt": F.date_format("day", "yyyy-MM-dd"),
    }
    snapshots = windows.join(
        top_value(grid, "customer_id", weighted, "category"), ["customer_id", "day"], "left"
    ).join(top_value(grid, "customer_id", weighted, "brand"), ["customer_id", "day"], "left")
    return select_declared(snapshots, "customer_features", computed)
