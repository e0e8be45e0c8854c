"""What the gold tables are built from: the silver tables, the calendar, purchases, rolling sums."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import reduce

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F

from spark_jobs import payloads as P
from spark_jobs import silver_behaviour
from spark_jobs.lake import read_table, table_dir
from storeloop.settings import Settings

SILVER_INPUTS = (
    "products", "customers", "orders", "order_items", "search_impressions", "clicks", "cart_adds",
    "recommendation_impressions", "recommendation_clicks",
)  # fmt: skip


# Silver tables younger than some lakes, with the builder that gives their (empty) schema.
NEWER_INPUTS: dict[str, Callable[[DataFrame], DataFrame]] = {
    "recommendation_impressions": silver_behaviour.build_recommendation_impressions,
    "recommendation_clicks": silver_behaviour.build_recommendation_clicks,
}


@dataclass(frozen=True)
class Silver:
    products: DataFrame
    customers: DataFrame
    orders: DataFrame
    order_items: DataFrame
    search_impressions: DataFrame
    clicks: DataFrame
    cart_adds: DataFrame
    recommendation_impressions: DataFrame
    recommendation_clicks: DataFrame

    @classmethod
    def read(cls, spark: SparkSession, settings: Settings) -> Silver:
        """Raises LakeJobError (silver_missing) for a missing table, except one newer than the
        lake (a silver written before recommendations were logged): that one reads as empty."""
        return cls(**{t: _read(spark, settings, t) for t in SILVER_INPUTS})

    def purchases(self) -> DataFrame:
        """Order lines of orders that were not cancelled (a declined card buys nothing)."""
        kept = self.orders.filter(F.col("status") != "cancelled").select("order_id")
        return self.order_items.join(kept, "order_id", "left_semi")

    def calendar(self) -> DataFrame:
        """One row per `day` (date) from the first to the last day with any activity."""
        dated = [
            (self.orders, "placed_at"),
            (self.search_impressions, "searched_at"),
            (self.clicks, "clicked_at"),
            (self.cart_adds, "added_at"),
            (self.recommendation_impressions, "shown_at"),
            (self.recommendation_clicks, "clicked_at"),
        ]
        dates = [table.select(F.to_date(at).alias("d")) for table, at in dated]
        span = reduce(DataFrame.unionByName, dates)
        bounds = span.agg(F.min("d").alias("first"), F.max("d").alias("last"))
        return bounds.select(F.explode(F.sequence("first", "last")).alias("day"))


def _read(spark: SparkSession, settings: Settings, table: str) -> DataFrame:
    newer = NEWER_INPUTS.get(table)
    if newer is not None and not table_dir(settings, "silver", table).exists():
        return newer(P.no_events(spark))
    return read_table(spark, settings, "silver", table)


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
