"""What the gold tables are built from: the silver tables, the calendar, purchases, rolling sums."""

from __future__ import annotations

from dataclasses import dataclass

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F

from spark_jobs.lake import read_table
from storeloop.settings import Settings

SILVER_INPUTS = (
    "products", "customers", "orders", "order_items", "search_impressions", "clicks", "cart_adds",
)  # fmt: skip


@dataclass(frozen=True)
class Silver:
    products: DataFrame
    customers: DataFrame
    orders: DataFrame
    order_items: DataFrame
    search_impressions: DataFrame
    clicks: DataFrame
    cart_adds: DataFrame

    @classmethod
    def read(cls, spark: SparkSession, settings: Settings) -> Silver:
        return cls(**{t: read_table(spark, settings, "silver", t) for t in SILVER_INPUTS})

    def purchases(self) -> DataFrame:
        """Order lines of orders that were not cancelled (a declined card buys nothing)."""
        kept = self.orders.filter(F.col("status") != "cancelled").select("order_id")
        return self.order_items.join(kept, "order_id", "left_semi")

    def calendar(self) -> DataFrame:
        """One row per `day` (date) from the first to the last day with any activity."""
        dates = [
            self.orders.select(F.to_date("placed_at").alias("d")),
            self.search_impressions.select(F.to_date("searched_at").alias("d")),
            self.clicks.select(F.to_date("clicked_at").alias("d")),
            self.cart_adds.select(F.to_date("added_at").alias("d")),
        ]
        span = dates[0].unionByName(dates[1]).unionByName(dates[2]).unionByName(dates[3])
        bounds = span.agg(F.min("d").alias("first"), F.max("d").alias("last"))
        return bounds.select(F.explode(F.sequence("first", "last")).alias("day"))


def end_of_day(day: str = "day") -> Column:
    """The feature timestamp of a day: 23:59:59 UTC (the session time zone is UTC)."""
    return F.to_timestamp(F.concat(F.date_format(day, "yyyy-MM-dd"), F.lit(" 23:59:59")))


def rolling_sums(
    grid: DataFrame, key: str, daily: DataFrame, sums: dict[str, str], days: int
) -> DataFrame:
    """For each (key, day) of `grid`, sums of `daily` (key, d, measures) over `days` days ending
    that day; `sums` maps measure to output name. Absent activity sums to 0."""
    other = daily.withColumnRenamed(key, "_key")
    window = (
        (F.col(key) == F.col("_key"))
        & (F.col("d") <= F.col("day"))
        & (F.col("d") > F.date_sub("day", days))
    )
    joined = grid.select(key, "day").join(other, window, "left")
    return joined.groupBy(key, "day").agg(
        *[F.coalesce(F.sum(measure), F.lit(0)).alias(name) for measure, name in sums.items()]
    )


def top_value(grid: DataFrame, key: str, weighted: DataFrame, column: str) -> DataFrame:
    """Per (key, day): the `column` value with the most weight in `weighted` (key, d, column,
    weight) up to that day; ties go to the smaller value so reruns agree."""
    other = weighted.withColumnRenamed(key, "_key")
    joined = grid.select(key, "day").join(
        other, (F.col(key) == F.col("_key")) & (F.col("d") <= F.col("day"))
    )
    totals = joined.groupBy(key, "day", column).agg(F.sum("weight").alias("w"))
    return totals.groupBy(key, "day").agg(
        F.min_by(column, F.struct(-F.col("w"), F.col(column))).alias(column)
    )
