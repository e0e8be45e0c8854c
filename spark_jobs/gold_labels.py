"""Gold labels: ranking_examples (impressions with what followed) and interactions."""

from __future__ import annotations

from functools import reduce

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from spark_jobs.gold_inputs import Silver

KEYS = ["search_id", "product_id"]


def _pairs(impressions: DataFrame, later: DataFrame, at: str, same_day: bool) -> DataFrame:
    """(search_id, product_id) of impressions followed by `later` rows of the same customer and
    product: the same day when `same_day`, else within 24 hours."""
    i, o = impressions.alias("i"), later.alias("o")
    after = F.col(f"o.{at}") >= F.col("i.searched_at")
    if same_day:
        near = F.to_date(f"o.{at}") == F.to_date("i.searched_at")
    else:
        near = F.col(f"o.{at}") <= F.col("i.searched_at") + F.expr("INTERVAL 24 HOURS")
    same = (F.col("i.customer_id") == F.col("o.customer_id")) & (
        F.col("i.product_id") == F.col("o.product_id")
    )
    return i.join(o, same & after & near).select("i.search_id", "i.product_id").distinct()


def build_ranking_examples(silver: Silver) -> DataFrame:
    impressions = silver.search_impressions
    clicked = silver.clicks.select(*KEYS).distinct()
    carted = (
        silver.cart_adds.filter(F.col("search_id").isNotNull())
        .select(*KEYS)
        .unionByName(_pairs(impressions, silver.cart_adds, "added_at", same_day=True))
        .distinct()
    )
    purchased = _pairs(impressions, silver.purchases(), "placed_at", same_day=False)
    flags = {"clicked": clicked, "added_to_cart": carted, "purchased": purchased}
    examples = impressions
    for name, pairs in flags.items():
        examples = examples.join(pairs.withColumn(name, F.lit(1)), KEYS, "left")
    examples = examples.fillna(0, subset=list(flags))
    label = F.greatest(F.col("clicked"), 2 * F.col("added_to_cart"), 3 * F.col("purchased"))
    return examples.select(
        "search_id", "session_id", "customer_id", "query", "product_id", "position",
        "index_score", "ranker",
        *[F.col(name).cast("long").alias(name) for name in flags],
        label.cast("long").alias("label"),
        F.col("searched_at").alias("event_timestamp"),
        "dt",
    )  # fmt: skip


def build_interactions(silver: Silver) -> DataFrame:
    """What each known customer did with each product: click 1 (on a search result or a
    recommendation), cart 2, purchase 3."""
    kinds = [
        (silver.clicks, "clicked_at", "click", 1),
        (silver.recommendation_clicks, "clicked_at", "click", 1),
        (silver.cart_adds, "added_at", "cart", 2),
        (silver.purchases(), "placed_at", "purchase", 3),
    ]
    parts = [
        table.select(
            "customer_id",
            "product_id",
            F.col(at).alias("event_timestamp"),
            F.lit(kind).alias("kind"),
            F.lit(weight).cast("long").alias("weight"),
        )
        for table, at, kind, weight in kinds
    ]
    union = reduce(DataFrame.unionByName, parts)
    return union.filter(F.col("customer_id").isNotNull()).withColumn(
        "dt", F.date_format("event_timestamp", "yyyy-MM-dd")
    )
