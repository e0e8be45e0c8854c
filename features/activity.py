"""A shopper's recent activity, folded event by event from the log.

The same fold builds the gold `shopper_activity` table (Spark, spark_jobs.gold_activity) and the
online rows (the shopper_activity consumer), so offline and online mean the same thing. Pure:
standard library and the event contract only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from contracts import events as ev
from contracts.events import Event

# The recommender's sequence length (models.recommender.train.MAX_LEN): what it reads online.
MAX_RECENT_PRODUCTS = 50
MAX_RECENT_QUERIES = 10
MAX_PURCHASED = 200
# Orders normally settle within the reservation hold; the cap only bounds a never-settled pile.
MAX_PENDING_LINES = 200
LINE = "/"  # a pending order line is "order_id/product_id"

ACTIVITY_TYPES = (
    ev.SEARCH_PERFORMED,
    ev.SEARCH_RESULT_CLICKED,
    ev.RECOMMENDATION_CLICKED,
    ev.CART_ITEM_ADDED,
    ev.ORDER_PLACED,
    ev.ORDER_STATUS_CHANGED,
)


class ActivityKind(StrEnum):
    VIEW = "view"  # a search result or a recommendation clicked
    CART = "cart"
    ORDER_PLACED = "order_placed"  # pending payment: not a purchase yet
    ORDER_PAID = "order_paid"  # the purchase
    ORDER_CANCELLED = "order_cancelled"  # declined or expired: never bought
    SEARCH = "search"


class ActivityError(ValueError):
    """An event that cannot be folded; `code` says why."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code


@dataclass(frozen=True)
class Activity:
    customer_id: str
    kind: ActivityKind
    at: datetime
    position: int  # the event's outbox position: the fold's replay guard
    products: tuple[str, ...] = ()
    order_id: str = ""
    query: str = ""


@dataclass(frozen=True)
class ShopperActivity:
    """The state after a shopper's activities up to `log_position`."""

    customer_id: str
    recent_products: tuple[str, ...] = ()  # distinct, in order of first contact, the last 50
    purchased_products: tuple[str, ...] = ()  # distinct, in order of purchase
    recent_queries: tuple[str, ...] = ()  # distinct, the latest last
    pending_orders: tuple[str, ...] = ()  # "order_id/product_id" of unsettled orders
    log_position: int = 0
    updated_at: datetime | None = None  # the time of the last activity folded in

    def row(self) -> dict[str, Any]:
        """The Feast row (push or gold): the entity key, event_timestamp and every field."""
        return {
            "customer_id": self.customer_id,
            "event_timestamp": self.updated_at,
            "recent_products": list(self.recent_products),
            "purchased_products": list(self.purchased_products),
            "recent_queries": list(self.recent_queries),
            "pending_orders": list(self.pending_orders),
            "log_position": self.log_position,
        }

    @classmethod
    def from_row(cls, customer_id: str, row: Mapping[str, Any]) -> ShopperActivity:
        """From an online or training row; absent or null fields read as empty."""
        position: Any = row.get("log_position")
        return cls(
            customer_id=customer_id,
            recent_products=_strings(row.get("recent_products")),
            purchased_products=_strings(row.get("purchased_products")),
            recent_queries=_strings(row.get("recent_queries")),
            pending_orders=_strings(row.get("pending_orders")),
            log_position=int(position) if _present(position) else 0,
        )


def activity_from_event(event: Event) -> Activity | None:
    """The shopper activity an event stands for, or None (another type, a guest, a status change
    that is not a settlement, or a payload too broken to say who did what)."""
    if event.type not in ACTIVITY_TYPES:
        return None
    if event.position is None:
        raise ActivityError("position_missing", f"event {event.event_id} was not read from the log")
    body = event.payload
    customer = _text(body.get("customer_id"))
    if not customer:
        return None
    at, position = event.occurred_at, int(event.position)

    def made(kind: ActivityKind, **values: Any) -> Activity:
        return Activity(customer, kind, at, position, **values)

    if event.type in (ev.SEARCH_RESULT_CLICKED, ev.RECOMMENDATION_CLICKED, ev.CART_ITEM_ADDED):
        product = _text(body.get("product_id"))
        if not product:
            return None
        kind = ActivityKind.CART if event.type == ev.CART_ITEM_ADDED else ActivityKind.VIEW
        return made(kind, products=(product,))
    if event.type == ev.SEARCH_PERFORMED:
        query = " ".join(_text(body.get("query")).lower().split())
        return made(ActivityKind.SEARCH, query=query) if query else None
    order = _text(body.get("order_id")) or event.aggregate_id
    if event.type == ev.ORDER_PLACED:
        # OrderPlaced is always pending_payment: the purchase is the later change to "paid".
        items: list[Any] = body["items"] if isinstance(body.get("items"), list) else []
        products = [_text(i.get("product_id")) for i in items if isinstance(i, dict)]
        return made(ActivityKind.ORDER_PLACED, order_id=order, products=_distinct(products))
    settled = {"paid": ActivityKind.ORDER_PAID, "cancelled": ActivityKind.ORDER_CANCELLED}
    settlement = settled.get(_text(body.get("to_status")))
    return made(settlement, order_id=order) if settlement else None


def fold(state: ShopperActivity, activity: Activity) -> ShopperActivity:
    """The state after `activity`; `state` itself when the activity was folded in already (its
    position is not past the state's), so a replayed batch changes nothing."""
    if activity.position <= state.log_position:
        return state
    recent, purchased = state.recent_products, state.purchased_products
    queries, pending = state.recent_queries, state.pending_orders
    kind = activity.kind
    if kind in (ActivityKind.VIEW, ActivityKind.CART):
        recent = _contact(recent, activity.products)
    elif kind == ActivityKind.SEARCH:
        queries = (*(q for q in queries if q != activity.query), activity.query)
        queries = queries[-MAX_RECENT_QUERIES:]
    elif kind == ActivityKind.ORDER_PLACED:
        lines = [f"{activity.order_id}{LINE}{p}" for p in activity.products]
        pending = _distinct([*pending, *lines])[-MAX_PENDING_LINES:]
    else:
        prefix = f"{activity.order_id}{LINE}"
        bought = tuple(line[len(prefix) :] for line in pending if line.startswith(prefix))
        pending = tuple(line for line in pending if not line.startswith(prefix))
        if kind == ActivityKind.ORDER_PAID:
            recent = _contact(recent, bought)
            purchased = _distinct([*purchased, *bought])[-MAX_PURCHASED:]
    return replace(
        state,
        recent_products=recent,
        purchased_products=purchased,
        recent_queries=queries,
        pending_orders=pending,
        log_position=activity.position,
        updated_at=activity.at,
    )


def activity_rows(events: Iterable[Event]) -> list[dict[str, Any]]:
    """Gold rows: for each shopper, the state after each of their activities (events taken in
    log order). Where several activities share a timestamp only the state after the last stays:
    a point-in-time join needs one row per shopper and time."""
    states: dict[str, ShopperActivity] = {}
    rows: dict[tuple[str, datetime | None], dict[str, Any]] = {}
    for event in sorted(events, key=lambda e: e.position or 0):
        activity = activity_from_event(event)
        if activity is None:
            continue
        before = states.get(activity.customer_id) or ShopperActivity(activity.customer_id)
        after = fold(before, activity)
        if after is not before:
            states[activity.customer_id] = after
            rows[(after.customer_id, after.updated_at)] = after.row()
    return list(rows.values())


def _contact(recent: tuple[str, ...], products: Iterable[str]) -> tuple[str, ...]:
    # A product already there keeps its place (first contact); one that fell out of the last 50
    # comes back as new: the state is bounded, the recommender's full history is not.
    known = set(recent)
    added = [p for p in _distinct(products) if p not in known]
    return (*recent, *added)[-MAX_RECENT_PRODUCTS:]


def _distinct(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v in values if v))


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _present(value: Any) -> bool:
    return value is not None and value == value  # NaN from a pandas join is absent too


def _strings(value: Any) -> tuple[str, ...]:
    if value is None or isinstance(value, (str, float)):  # absent, or NaN from a pandas join
        return ()
    return tuple(str(v) for v in value)
