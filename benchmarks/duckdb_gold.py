"""Gold's ranking_examples as DuckDB SQL over the silver tables (spark_jobs.gold_labels says what
it is): the gold yardstick of the lake benchmark, equal to Spark's row for row."""

from __future__ import annotations

# silver table -> partitioned by dt: the inputs of ranking_examples
INPUTS = {
    "search_impressions": True,
    "clicks": True,
    "cart_adds": True,
    "orders": True,
    "order_items": True,
}


def _pairs(later: str, at: str, same_day: bool) -> str:
    """(search_id, product_id) of impressions followed by a `later` row of the same customer and
    product: the same day when `same_day`, else within 24 hours."""
    if same_day:
        near = f"CAST(o.{at} AS DATE) = CAST(i.searched_at AS DATE)"
    else:
        near = f"o.{at} <= i.searched_at + INTERVAL 24 HOURS"
    return f"""
        SELECT DISTINCT i.search_id, i.product_id
        FROM search_impressions AS i JOIN {later} AS o
            ON i.customer_id = o.customer_id AND i.product_id = o.product_id
            AND o.{at} >= i.searched_at AND {near}"""


def build_ranking_examples() -> str:
    # Order lines of orders not cancelled (Silver.purchases).
    purchases = """(SELECT * FROM order_items WHERE order_id IN
        (SELECT order_id FROM orders WHERE status <> 'cancelled'))"""
    flags = {
        "clicked": "SELECT DISTINCT search_id, product_id FROM clicks",
        "added_to_cart": (
            "SELECT search_id, product_id FROM cart_adds WHERE search_id IS NOT NULL UNION"
            + _pairs("cart_adds", "added_at", same_day=True)
        ),
        "purchased": _pairs(purchases, "placed_at", same_day=False),
    }
    joins = "\n".join(
        f"LEFT JOIN (SELECT *, 1 AS {name} FROM ({pairs})) USING (search_id, product_id)"
        for name, pairs in flags.items()
    )
    flag = {name: f"CAST(coalesce({name}, 0) AS BIGINT)" for name in flags}
    label = f"greatest({flag['clicked']}, 2 * {flag['added_to_cart']}, 3 * {flag['purchased']})"
    return f"""
        SELECT search_id, session_id, customer_id, query, product_id, position, index_score,
            ranker, {", ".join(f"{sql} AS {name}" for name, sql in flag.items())},
            CAST({label} AS BIGINT) AS label, searched_at AS event_timestamp, dt
        FROM search_impressions {joins}"""
