"""Expectations of the silver and gold tables, as plain data (GX classes named, not imported)."""

from __future__ import annotations

from contracts.categories import MAX_DEPTH
from contracts.events import PAGE_KINDS, RECOMMENDATION_SURFACES
from features.declared import gold_columns, not_null_columns
from quality.runner import Spec

ORDER_STATUSES = [
    "pending_payment",
    "paid",
    "fulfilled",
    "shipped",
    "delivered",
    "cancelled",
    "refunded",
    "returned",
]
ROLES = ["customer", "seller", "admin"]


def not_null(*columns: str) -> list[Spec]:
    return [("ExpectColumnValuesToNotBeNull", {"column": column}) for column in columns]


def unique(*columns: str) -> Spec:
    if len(columns) == 1:
        return ("ExpectColumnValuesToBeUnique", {"column": columns[0]})
    return ("ExpectCompoundColumnsToBeUnique", {"column_list": list(columns)})


def between(column: str, low: float | None = None, high: float | None = None, **kw: bool) -> Spec:
    return (
        "ExpectColumnValuesToBeBetween",
        {"column": column, "min_value": low, "max_value": high, **kw},
    )


def in_set(column: str, values: list) -> Spec:
    return ("ExpectColumnValuesToBeInSet", {"column": column, "value_set": values})


NOT_EMPTY: Spec = ("ExpectTableRowCountToBeBetween", {"min_value": 1})

SILVER: dict[str, list[Spec]] = {
    "products": [
        NOT_EMPTY, *not_null("product_id", "price", "is_deleted"), unique("product_id"),
        between("price", 0, strict_min=True), between("rating", 0, 5),
        between("rating_count", 0), between("stock", 0),
        # Variants: their values and a parent's option names are JSON text where present.
        ("ExpectColumnValuesToBeJsonParseable", {"column": "options"}),
        ("ExpectColumnValuesToBeJsonParseable", {"column": "option_names"}),
    ],
    "customers": [
        NOT_EMPTY, *not_null("customer_id", "role"), unique("customer_id"), in_set("role", ROLES),
    ],
    # No NOT_EMPTY: a catalog listed without categories has no levels.
    "product_categories": [
        *not_null("product_id", "level", "category_id", "category_path", "category_name"),
        unique("product_id", "level"), between("level", 1, MAX_DEPTH),
    ],
    "orders": [
        NOT_EMPTY, *not_null("order_id", "customer_id", "status", "placed_at"), unique("order_id"),
        in_set("status", ORDER_STATUSES), between("total", 0), between("item_count", 1),
    ],
    "order_items": [
        NOT_EMPTY, *not_null("order_id", "product_id"), between("quantity", 1),
        between("unit_price", 0, strict_min=True),
    ],
    "payments": [
        NOT_EMPTY, *not_null("payment_id", "order_id"), unique("payment_id"),
        in_set("status", ["authorized", "captured", "declined"]), between("amount", 0),
    ],
    "search_impressions": [
        NOT_EMPTY, *not_null("search_id", "product_id", "searched_at"),
        unique("search_id", "position"), between("position", 1),
    ],
    "clicks": [*not_null("search_id", "product_id", "clicked_at"), between("position", 1)],
    "cart_adds": [*not_null("cart_id", "product_id"), between("quantity", 1)],
    # No NOT_EMPTY: a quiet day, or a lake older than the recommendation channel, has none.
    "recommendation_impressions": [
        *not_null("recommendation_id", "product_id", "position", "surface", "recommender",
                  "strategy", "shown_at"),
        unique("recommendation_id", "position"), between("position", 1),
        in_set("surface", list(RECOMMENDATION_SURFACES)),
    ],
    "recommendation_clicks": [
        *not_null("recommendation_id", "product_id", "position", "clicked_at"),
        between("position", 1),
    ],
    # No NOT_EMPTY either: lakes older than the web storefront's page views have none.
    "page_views": [
        *not_null("page_view_id", "session_id", "page", "path", "viewed_at"),
        unique("page_view_id"), in_set("page", list(PAGE_KINDS)),
        in_set("referrer_page", list(PAGE_KINDS)),
    ],
}  # fmt: skip


def declared(view: str, *checks: Spec) -> list[Spec]:
    """A feature view's gold table: presence of every column Feast declares, not-null of those
    not tagged nullable, and the hand-written `checks` of columns still declared (a field removed
    from Feast takes its checks with it)."""
    columns = gold_columns(view)
    present = [("ExpectColumnToExist", {"column": column}) for column in columns]
    kept = [spec for spec in checks if _columns(spec) <= set(columns)]
    return [NOT_EMPTY, *present, *not_null(*not_null_columns(view)), *kept]


def _columns(spec: Spec) -> set[str]:
    kwargs = spec[1]
    return {kwargs["column"]} if "column" in kwargs else set(kwargs.get("column_list", []))


def gold_suites() -> dict[str, list[Spec]]:
    """The gold expectations: declared columns derived from Feast, range checks by hand."""
    return {
        "product_features": declared(
            "product_features", unique("product_id", "event_timestamp"),
            between("price", 0, strict_min=True), between("rating", 0, 5), between("stock", 0),
            in_set("in_stock", [0, 1]), between("ctr_7d", 0, 1), between("orders_7d", 0),
            between("units_7d", 0), between("family_ctr_7d", 0, 1), between("family_orders_7d", 0),
        ),
        "customer_features": declared(
            "customer_features", unique("customer_id", "event_timestamp"),
            between("orders_30d", 0), between("spend_30d", 0),
        ),
        "shopper_activity": declared(
            "shopper_activity", unique("customer_id", "event_timestamp"),
            unique("customer_id", "log_position"), between("log_position", 1),
        ),
        "ranking_examples": [
            NOT_EMPTY, *not_null("search_id", "product_id", "event_timestamp", "label"),
            unique("search_id", "product_id"), in_set("label", [0, 1, 2, 3]),
            in_set("clicked", [0, 1]), in_set("added_to_cart", [0, 1]), in_set("purchased", [0, 1]),
        ],
        "interactions": [
            *not_null("customer_id", "product_id", "event_timestamp"),
            in_set("kind", ["click", "cart", "purchase"]), in_set("weight", [1, 2, 3]),
        ],
    }  # fmt: skip


GOLD: dict[str, list[Spec]] = gold_suites()

# Referential checks GX has no expectation for: (child table, column, parent table, column).
SILVER_REFERENCES = [
    ("order_items", "order_id", "orders", "order_id"),
    ("product_categories", "product_id", "products", "product_id"),
    ("payments", "order_id", "orders", "order_id"),
    # The store refuses a click on a list it never recorded. (Cart and order lines name lists
    # the client sent, unchecked like search ids, so they get no reference check.)
    ("recommendation_clicks", "recommendation_id", "recommendation_impressions",
     "recommendation_id"),
]  # fmt: skip
GOLD_REFERENCES: list[tuple[str, str, str, str]] = []
