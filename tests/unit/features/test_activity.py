"""The shopper activity fold: which events count, order, distinctness, caps, purchases, replays."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from contracts import events as ev
from contracts.events import Event
from features.activity import (
    MAX_RECENT_PRODUCTS,
    MAX_RECENT_QUERIES,
    ActivityError,
    ActivityKind,
    ShopperActivity,
    activity_from_event,
    activity_rows,
    fold,
)

T0 = datetime(2025, 3, 1, 12, tzinfo=UTC)


class Log:
    """Events as the outbox hands them out: positions in commit order, a second apart."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    def add(self, kind: str, aggregate: str, at: datetime | None = None, **payload) -> Event:
        position = len(self.events) + 1
        when = at or T0 + timedelta(seconds=position)
        event = Event(kind, aggregate, payload, when, position=position)
        self.events.append(event)
        return event

    def click(self, product: str, customer: str = "c-1") -> Event:
        return self.add(
            ev.SEARCH_RESULT_CLICKED, "srch-1", customer_id=customer, product_id=product
        )

    def recommended(self, product: str, customer: str = "c-1") -> Event:
        return self.add(
            ev.RECOMMENDATION_CLICKED, "rec-1", customer_id=customer, product_id=product
        )

    def cart(self, product: str, customer: str = "c-1") -> Event:
        return self.add(ev.CART_ITEM_ADDED, "cart-1", customer_id=customer, product_id=product)

    def search(self, query: str, customer: str | None = "c-1") -> Event:
        return self.add(ev.SEARCH_PERFORMED, "srch-1", customer_id=customer, query=query)

    def placed(self, order: str, *products: str, customer: str = "c-1", at=None) -> Event:
        items = [{"product_id": p, "quantity": 1} for p in products]
        return self.add(
            ev.ORDER_PLACED, order, at, order_id=order, customer_id=customer,
            status="pending_payment", items=items,
        )  # fmt: skip

    def status(self, order: str, to: str, customer: str = "c-1", at=None) -> Event:
        return self.add(
            ev.ORDER_STATUS_CHANGED, order, at, order_id=order, customer_id=customer,
            from_status="pending_payment", to_status=to,
        )  # fmt: skip

    def state(self, customer: str = "c-1", start: ShopperActivity | None = None):
        state = start or ShopperActivity(customer)
        for event in self.events:
            activity = activity_from_event(event)
            if activity is not None and activity.customer_id == customer:
                state = fold(state, activity)
        return state


def test_products_are_distinct_in_order_of_first_contact():
    log = Log()
    for product in ["p-1", "p-2", "p-1", "p-3", "p-2"]:
        log.click(product)
    log.recommended("p-4")
    log.cart("p-1")
    state = log.state()
    assert state.recent_products == ("p-1", "p-2", "p-3", "p-4")
    assert state.log_position == 7 and state.updated_at == T0 + timedelta(seconds=7)


def test_only_the_last_fifty_products_stay():
    log = Log()
    for n in range(MAX_RECENT_PRODUCTS + 5):
        log.click(f"p-{n:03d}")
    recent = log.state().recent_products
    assert len(recent) == MAX_RECENT_PRODUCTS
    assert recent[0] == "p-005" and recent[-1] == f"p-{MAX_RECENT_PRODUCTS + 4:03d}"


def test_queries_are_normalised_distinct_and_the_last_ten():
    log = Log()
    log.search("  Red   Kettle ")
    for n in range(MAX_RECENT_QUERIES):
        log.search(f"q{n}")
    log.search("red kettle")  # again: moves to the end, not twice
    log.search("   ")  # nothing asked: not an activity
    queries = log.state().recent_queries
    assert len(queries) == MAX_RECENT_QUERIES
    assert queries[-1] == "red kettle" and queries.count("red kettle") == 1
    assert "q0" not in queries


def test_a_purchase_is_the_payment_not_the_placement():
    log = Log()
    log.cart("p-1")
    log.placed("o-1", "p-1", "p-2")
    placed = log.state()
    assert placed.purchased_products == ()  # OrderPlaced is pending_payment
    assert placed.pending_orders == ("o-1/p-1", "o-1/p-2")
    log.status("o-1", "paid")
    paid = log.state()
    assert paid.purchased_products == ("p-1", "p-2")
    assert paid.recent_products == ("p-1", "p-2") and paid.pending_orders == ()


def test_a_cancelled_order_buys_nothing_and_other_statuses_are_no_activity():
    log = Log()
    log.placed("o-1", "p-1")
    log.placed("o-2", "p-2")
    log.status("o-1", "cancelled")
    log.status("o-2", "paid")
    assert activity_from_event(log.status("o-2", "shipped")) is None
    state = log.state()
    assert state.purchased_products == ("p-2",) and state.pending_orders == ()
    assert "p-1" not in state.recent_products


def test_a_replayed_event_changes_nothing():
    log = Log()
    log.click("p-1")
    log.search("kettle")
    log.click("p-2")
    once = log.state()
    again = log.state(start=once)  # the whole batch once more, as after a crash
    assert again is once
    activity = activity_from_event(log.events[0])
    assert activity is not None and fold(once, activity) is once


def test_guests_and_other_events_are_no_activity_and_a_positionless_event_is_refused():
    log = Log()
    assert activity_from_event(log.search("kettle", customer=None)) is None
    assert activity_from_event(log.add(ev.STOCK_CHANGED, "p-1", product_id="p-1")) is None
    assert activity_from_event(log.add(ev.SEARCH_RESULT_CLICKED, "s", customer_id="c-1")) is None
    stray = Event(ev.SEARCH_RESULT_CLICKED, "s", {"customer_id": "c-1", "product_id": "p"}, T0)
    with pytest.raises(ActivityError) as error:
        activity_from_event(stray)
    assert error.value.code == "position_missing"
    found = activity_from_event(log.recommended("p-9"))
    assert found is not None and found.kind == ActivityKind.VIEW


def test_gold_rows_are_the_state_after_each_activity_the_last_per_timestamp():
    log = Log()
    log.click("p-1", customer="c-1")
    log.click("p-2", customer="c-2")
    same = T0 + timedelta(minutes=5)
    log.placed("o-1", "p-1", customer="c-1", at=same)
    log.status("o-1", "paid", customer="c-1", at=same)
    rows = activity_rows(reversed(log.events))  # any order in: log order is restored
    first = [r for r in rows if r["customer_id"] == "c-1"]
    assert [r["log_position"] for r in first] == [1, 4]  # placed and paid share a timestamp
    assert first[-1]["purchased_products"] == ["p-1"] and first[-1]["event_timestamp"] == same
    assert ShopperActivity.from_row("c-1", first[-1]) == ShopperActivity(
        "c-1", ("p-1",), ("p-1",), (), (), 4
    )
