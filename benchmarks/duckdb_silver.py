"""The silver tables as DuckDB SQL over the deduplicated bronze `events`: one function per table of
spark_jobs.silver.TABLES, each the same columns, types and rows as its Spark builder."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from contracts import events as E


def parsed(types: list[str] | str, fields: list[str] | None = None) -> str:
    """Events of these types with their payload keys as columns, plus `type`, `log_position` and
    `event_at` (spark_jobs.payloads.parsed); a malformed value reads as null."""
    types = [types] if isinstance(types, str) else types
    schema = E.PAYLOADS[types[0]]
    structure = json.dumps({key: _duck_type(kind) for key, kind in schema.items()})
    columns = ", ".join(f"p.{key} AS {key}" for key in (fields or list(schema)))
    kinds = ", ".join(f"'{t}'" for t in types)
    return (
        f"SELECT type, log_position, event_at, {columns} FROM (SELECT type,"
        " position AS log_position, occurred_at AS event_at,"
        f" json_transform(payload, '{structure}') AS p FROM events WHERE type IN ({kinds}))"
    )


def _duck_type(kind: Any) -> Any:
    if isinstance(kind, list):
        return [{key: _duck_type(k) for key, k in kind[0].items()}]
    return {E.LONG: "BIGINT", E.DOUBLE: "DOUBLE"}.get(kind, "VARCHAR")


def latest(query: str, key: str, first: bool = False) -> str:
    """The last row per key in log order (the first with `first`)."""
    order = "ASC" if first else "DESC"
    return (
        f"SELECT * FROM ({query})"
        f" QUALIFY row_number() OVER (PARTITION BY {key} ORDER BY log_position {order}) = 1"
    )


def money(column: str) -> str:
    return f"TRY_CAST({column} AS DOUBLE)"


def instant(column: str) -> str:
    return f"TRY_CAST({column} AS TIMESTAMPTZ)"


def day(column: str) -> str:
    return f"strftime({column}, '%Y-%m-%d')"


def build_products() -> str:
    snapshots = latest(parsed([E.PRODUCT_CREATED, E.PRODUCT_UPDATED]), "product_id")
    stock = latest(parsed(E.STOCK_CHANGED), "product_id")
    deleted = parsed(E.PRODUCT_DELETED)
    return f"""
        SELECT product_id, seller_id, title, description, brand, category,
            {money("price")} AS price, currency, CAST(rating AS DOUBLE) AS rating,
            CAST(coalesce(rating_count, 0) AS BIGINT) AS rating_count, image_url,
            CAST(coalesce(stock, 0) AS BIGINT) AS stock,
            coalesce({instant("created_at")}, event_at) AS created_at,
            coalesce({instant("updated_at")}, event_at) AS updated_at,
            coalesce(is_deleted, false) AS is_deleted, parent_id, options, option_names
        FROM ({snapshots}) AS s
        LEFT JOIN (SELECT product_id, quantity AS stock FROM ({stock})) USING (product_id)
        LEFT JOIN (SELECT DISTINCT product_id, true AS is_deleted FROM ({deleted}))
            USING (product_id)"""


def build_product_categories() -> str:
    """`category_levels` is contracts.categories.category_levels, registered on the connection
    (benchmarks.lake_duckdb.connect) as Spark registers it as a UDF."""
    return f"""
        SELECT product_id, node.level AS level, node.category_id AS category_id,
            node.category_path AS category_path, node.category_name AS category_name
        FROM (SELECT product_id, category FROM ({build_products()})) AS p
        JOIN (SELECT category, unnest(category_levels(category)) AS node
              FROM (SELECT DISTINCT category FROM ({build_products()}) WHERE category IS NOT NULL))
            USING (category)"""


def build_customers() -> str:
    registered = latest(parsed(E.CUSTOMER_REGISTERED), "customer_id")
    return f"""
        SELECT customer_id, name, email, role,
            coalesce({instant("registered_at")}, event_at) AS registered_at
        FROM ({registered})"""


def placed_orders() -> str:
    """One OrderPlaced per order: the first in the log."""
    first = latest(parsed(E.ORDER_PLACED), "order_id", first=True)
    placed_at = f"coalesce({instant('placed_at')}, event_at)"
    return f"SELECT * REPLACE ({placed_at} AS placed_at), {day(placed_at)} AS dt FROM ({first})"


def build_orders() -> str:
    changes = latest(parsed(E.ORDER_STATUS_CHANGED), "order_id")
    # Spark's aggregate(items, 0L, acc + quantity): null when a quantity is, 0 for no items.
    units = (
        "CASE WHEN items IS NOT NULL THEN list_reduce(list_prepend(CAST(0 AS BIGINT),"
        " list_transform(items, lambda i: i.quantity)), lambda acc, q: acc + q) END"
    )
    return f"""
        SELECT order_id, customer_id, coalesce(latest_status, status) AS status, currency,
            {money("total")} AS total, CAST({units} AS BIGINT) AS item_count, placed_at, dt
        FROM ({placed_orders()})
        LEFT JOIN (SELECT order_id, to_status AS latest_status FROM ({changes}))
            USING (order_id)"""


def build_order_items() -> str:
    return f"""
        SELECT order_id, customer_id, item.product_id AS product_id,
            CAST(item.quantity AS BIGINT) AS quantity,
            {money("item.unit_price")} AS unit_price,
            item.quantity * {money("item.unit_price")} AS line_total,
            item.search_id AS search_id, item.recommendation_id AS recommendation_id,
            item.offer_id AS offer_id, item.seller_id AS seller_id,
            placed_at, dt
        FROM (SELECT order_id, customer_id, placed_at, dt, unnest(items) AS item
              FROM ({placed_orders()}))"""


_PAYMENT_STATUS = {
    E.PAYMENT_AUTHORIZED: "authorized",
    E.PAYMENT_CAPTURED: "captured",
    E.PAYMENT_DECLINED: "declined",
}


def build_payments() -> str:
    payments = latest(parsed(list(_PAYMENT_STATUS)), "payment_id")
    status = " ".join(f"WHEN '{kind}' THEN '{name}'" for kind, name in _PAYMENT_STATUS.items())
    return f"""
        SELECT payment_id, order_id, CASE type {status} END AS status,
            {money("amount")} AS amount, currency, decline_code, event_at AS occurred_at,
            {day("event_at")} AS dt
        FROM ({payments})"""


def build_search_impressions() -> str:
    return f"""
        SELECT search_id, session_id, customer_id, query, result.product_id AS product_id,
            CAST(result.position AS BIGINT) AS position,
            CAST(result.score AS DOUBLE) AS index_score, ranker, result.team AS team, arm,
            CAST(swapped_at AS BIGINT) AS swapped_at, event_at AS searched_at,
            {day("event_at")} AS dt
        FROM (SELECT *, unnest(results) AS result FROM ({parsed(E.SEARCH_PERFORMED)}))"""


def _clicks(event_type: str, list_id: str) -> str:
    return f"""
        SELECT {list_id}, session_id, customer_id, product_id,
            CAST(position AS BIGINT) AS position, event_at AS clicked_at,
            {day("event_at")} AS dt
        FROM ({parsed(event_type)})"""


def build_clicks() -> str:
    return _clicks(E.SEARCH_RESULT_CLICKED, "search_id")


def build_cart_adds() -> str:
    return f"""
        SELECT cart_id, customer_id, product_id, CAST(quantity AS BIGINT) AS quantity,
            {money("unit_price")} AS unit_price, search_id, recommendation_id,
            event_at AS added_at, {day("event_at")} AS dt
        FROM ({parsed(E.CART_ITEM_ADDED)})"""


def build_recommendation_impressions() -> str:
    return f"""
        SELECT recommendation_id, session_id, customer_id, surface, anchor_product_id,
            recommender, strategy, arm, item.product_id AS product_id,
            CAST(item.position AS BIGINT) AS position, CAST(item.score AS DOUBLE) AS score,
            event_at AS shown_at, {day("event_at")} AS dt
        FROM (SELECT *, unnest(items) AS item FROM ({parsed(E.RECOMMENDATIONS_SHOWN)}))"""


def build_recommendation_clicks() -> str:
    return _clicks(E.RECOMMENDATION_CLICKED, "recommendation_id")


def build_page_views() -> str:
    return f"""
        SELECT page_view_id, session_id, customer_id, page, path, product_id, referrer_page,
            event_at AS viewed_at, {day("event_at")} AS dt
        FROM ({parsed(E.PAGE_VIEWED)})"""


# table -> (SQL, partitioned by dt), in spark_jobs.silver.TABLES's order
TABLES: dict[str, tuple[Callable[[], str], bool]] = {
    "products": (build_products, False),
    "customers": (build_customers, False),
    "product_categories": (build_product_categories, False),
    "orders": (build_orders, True),
    "order_items": (build_order_items, True),
    "payments": (build_payments, True),
    "search_impressions": (build_search_impressions, True),
    "clicks": (build_clicks, True),
    "cart_adds": (build_cart_adds, True),
    "recommendation_impressions": (build_recommendation_impressions, True),
    "recommendation_clicks": (build_recommendation_clicks, True),
    "page_views": (build_page_views, True),
}
