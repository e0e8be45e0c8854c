"""Silver storefront behaviour: search and recommendation impressions, their clicks, and cart adds
(the ranking labels and the outcomes of the models), and the pages shoppers loaded."""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import StructType

from contracts import events as E
from spark_jobs import payloads as P


def build_search_impressions(events: DataFrame) -> DataFrame:
    searches = P.parsed(events, [E.SEARCH_PERFORMED], P.SEARCH).select(
        "search_id", "session_id", "customer_id", "query", "ranker", "arm", "swapped_at",
        "event_at", F.explode("results").alias("result"),
    )  # fmt: skip
    return searches.select(
        "search_id",
        "session_id",
        "customer_id",
        "query",
        F.col("result.product_id").alias("product_id"),
        F.col("result.position").cast("long").alias("position"),
        F.col("result.score").cast("double").alias("index_score"),
        "ranker",
        F.col("result.team").alias("team"),  # an interleaved search's ranker of this result
        "arm",  # the shopper's A/B arm; null for anonymous searches
        # randomised logging: this search's results at swapped_at and the next were swapped
        F.col("swapped_at").cast("long").alias("swapped_at"),
        F.col("event_at").alias("searched_at"),
        P.day("event_at").alias("dt"),
    )


def build_clicks(events: DataFrame) -> DataFrame:
    return _clicks(events, E.SEARCH_RESULT_CLICKED, P.CLICK, "search_id")


def _clicks(events: DataFrame, event_type: str, schema: StructType, list_id: str) -> DataFrame:
    """Clicks on the items of a search (`search_id`) or a recommendation list."""
    return P.parsed(events, [event_type], schema).select(
        list_id,
        "session_id",
        "customer_id",
        "product_id",
        F.col("position").cast("long").alias("position"),
        F.col("event_at").alias("clicked_at"),
        P.day("event_at").alias("dt"),
    )


def build_cart_adds(events: DataFrame) -> DataFrame:
    return P.parsed(events, [E.CART_ITEM_ADDED], P.CART_ITEM).select(
        "cart_id",
        "customer_id",
        "product_id",
        F.col("quantity").cast("long").alias("quantity"),
        P.money("unit_price").alias("unit_price"),
        "search_id",
        "recommendation_id",  # null in adds logged before recommendations were a channel
        F.col("event_at").alias("added_at"),
        P.day("event_at").alias("dt"),
    )


def build_recommendation_impressions(events: DataFrame) -> DataFrame:
    """One row per item of each recommendation list shown (a list of no items leaves none)."""
    lists = P.parsed(events, [E.RECOMMENDATIONS_SHOWN], P.RECOMMENDATIONS).select(
        "recommendation_id", "session_id", "customer_id", "surface", "anchor_product_id",
        "recommender", "strategy", "arm", "event_at", F.explode("items").alias("item"),
    )  # fmt: skip
    return lists.select(
        "recommendation_id",
        "session_id",
        "customer_id",
        "surface",
        "anchor_product_id",
        "recommender",
        "strategy",
        "arm",
        F.col("item.product_id").alias("product_id"),
        F.col("item.position").cast("long").alias("position"),
        F.col("item.score").cast("double").alias("score"),
        F.col("event_at").alias("shown_at"),
        P.day("event_at").alias("dt"),
    )


def build_recommendation_clicks(events: DataFrame) -> DataFrame:
    return _clicks(events, E.RECOMMENDATION_CLICKED, P.RECOMMENDATION_CLICK, "recommendation_id")


def build_page_views(events: DataFrame) -> DataFrame:
    """One row per page a shopper loaded (the store counts no crawlers); the funnel's top."""
    return P.parsed(events, [E.PAGE_VIEWED], P.PAGE_VIEW).select(
        "page_view_id",
        "session_id",
        "customer_id",
        "page",
        "path",
        "product_id",
        "referrer_page",
        F.col("event_at").alias("viewed_at"),
        P.day("event_at").alias("dt"),
    )
