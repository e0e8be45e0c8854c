"""A small, hand-checkable bronze lake: 3 good days of every event type and 1 corrupt day."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from contracts import events as E

SCHEMA = pa.schema(
    [
        ("position", pa.int64()),
        ("event_id", pa.string()),
        ("type", pa.string()),
        ("aggregate_id", pa.string()),
        ("payload", pa.string()),
        ("occurred_at", pa.timestamp("us", tz="UTC")),
    ]
)
GOOD_DAYS = ["2024-05-01", "2024-05-02", "2024-05-03"]
CORRUPT_DAY = "2024-05-04"


def at(day: int, hhmm: str) -> datetime:
    hour, minute = map(int, hhmm.split(":"))
    return datetime(2024, 5, day, hour, minute, tzinfo=UTC)


def product(pid: str, category: str, brand: str, price: str, when: datetime) -> dict:
    return {
        "product_id": pid, "seller_id": "s-000001", "title": f"{brand} {category} {pid}",
        "description": "", "brand": brand, "category": category, "price": price,
        "currency": "USD", "rating": 4.5, "rating_count": 12, "image_url": "",
        "created_at": when.isoformat(), "updated_at": when.isoformat(),
    }  # fmt: skip


def customer(cid: str, role: str, when: datetime) -> dict:
    return {"customer_id": cid, "name": cid, "email": f"{cid}@shop.test", "role": role,
            "registered_at": when.isoformat()}  # fmt: skip


def order(oid: str, cid: str, pid: str, qty: int, price: str, when: datetime, **found) -> dict:
    """`found`: the item's search_id / recommendation_id (orders logged before lines carried
    them have neither key)."""
    total = str(qty * float(price))
    return {"order_id": oid, "customer_id": cid, "status": "pending_payment", "currency": "USD",
            "total": total, "placed_at": when.isoformat(),
            "items": [{"product_id": pid, "quantity": qty, "unit_price": price,
                       **found}]}  # fmt: skip


def offered(pid: str, seller: str, price: str, when: datetime) -> dict:
    return {"offer_id": "of-p3-s2", "product_id": pid, "seller_id": seller, "price": price,
            "currency": "USD", "stock": 3, "shipping_days": 2, "created_at": when.isoformat(),
            "updated_at": when.isoformat()}  # fmt: skip


def search(sid: str, cid: str, query: str, pids: list[str]) -> dict:
    results = [{"product_id": p, "position": i + 1, "score": 3.0 - i} for i, p in enumerate(pids)]
    return {"search_id": sid, "session_id": f"sess-{cid}", "customer_id": cid, "query": query,
            "ranker": "index", "results": results}  # fmt: skip


def paid(pay: str, oid: str, cid: str, amount: str, when: datetime) -> list[tuple]:
    body = {"payment_id": pay, "order_id": oid, "amount": amount, "currency": "USD",
            "gateway_ref": f"gw-{pay}", "decline_code": None}  # fmt: skip
    status = {"order_id": oid, "customer_id": cid, "from_status": "pending_payment",
              "to_status": "paid", "reason": "payment_captured"}  # fmt: skip
    return [(E.PAYMENT_AUTHORIZED, pay, body, when), (E.PAYMENT_CAPTURED, pay, body, when),
            (E.ORDER_STATUS_CHANGED, oid, status, when)]  # fmt: skip


def stock(pid: str, quantity: int, delta: int, reason: str, when: datetime) -> tuple:
    body = {"product_id": pid, "quantity": quantity, "delta": delta, "reason": reason}
    return (E.STOCK_CHANGED, pid, body, when)


def click(sid: str, cid: str, pid: str, position: int, when: datetime) -> tuple:
    body = {"search_id": sid, "session_id": f"sess-{cid}", "customer_id": cid,
            "product_id": pid, "position": position}  # fmt: skip
    return (E.SEARCH_RESULT_CLICKED, sid, body, when)


def cart_add(
    cart: str, cid: str, pid: str, qty: int, price: str, sid: str | None, when, **found
) -> tuple:
    body = {"cart_id": cart, "customer_id": cid, "product_id": pid, "quantity": qty,
            "unit_price": price, "search_id": sid, **found}  # fmt: skip
    return (E.CART_ITEM_ADDED, cart, body, when)


def shown(rid: str, cid: str | None, surface: str, anchor: str | None, recommender: str,
          strategy: str, pids: list[str], when: datetime) -> tuple:  # fmt: skip
    items = [
        {"product_id": p, "position": i + 1, "score": 1.0 - i / 10} for i, p in enumerate(pids)
    ]
    body = {"recommendation_id": rid, "session_id": f"sess-{cid}", "customer_id": cid,
            "surface": surface, "anchor_product_id": anchor, "recommender": recommender,
            "strategy": strategy, "items": items}  # fmt: skip
    return (E.RECOMMENDATIONS_SHOWN, rid, body, when)


def rec_click(rid: str, cid: str, pid: str, position: int, when: datetime) -> tuple:
    body = {"recommendation_id": rid, "session_id": f"sess-{cid}", "customer_id": cid,
            "product_id": pid, "position": position}  # fmt: skip
    return (E.RECOMMENDATION_CLICKED, rid, body, when)


def viewed(pvid: str, cid: str | None, page: str, pid: str | None, came_from: str | None,
           when: datetime) -> tuple:  # fmt: skip
    body = {"page_view_id": pvid, "session_id": f"sess-{cid}", "customer_id": cid, "page": page,
            "path": f"/shop/products/{pid}" if pid else "/shop/", "product_id": pid,
            "referrer_page": came_from}  # fmt: skip
    return (E.PAGE_VIEWED, pvid, body, when)


def created(pid: str, category: str, brand: str, price: str, when: datetime) -> tuple:
    return (E.PRODUCT_CREATED, pid, product(pid, category, brand, price, when), when)


def registered(cid: str, role: str, when: datetime) -> tuple:
    return (E.CUSTOMER_REGISTERED, cid, customer(cid, role, when), when)


def placed(oid: str, cid: str, pid: str, qty: int, price: str, when: datetime, **found) -> tuple:
    return (E.ORDER_PLACED, oid, order(oid, cid, pid, qty, price, when, **found), when)


def searched(sid: str, cid: str, query: str, pids: list[str], when: datetime) -> tuple:
    return (E.SEARCH_PERFORMED, sid, search(sid, cid, query, pids), when)


def good_events() -> list[tuple]:
    """(type, aggregate_id, payload, occurred_at) in log order."""
    d1, d2, d3 = (lambda t: at(1, t)), (lambda t: at(2, t)), (lambda t: at(3, t))
    c1, c2, p1, p2, p3, p4 = "c-000001", "c-000002", "p-000001", "p-000002", "p-000003", "p-000004"
    declined = {"payment_id": "pay-b", "order_id": "o-b", "amount": "100.00", "currency": "USD",
                "gateway_ref": "gw-b", "decline_code": "card_declined"}  # fmt: skip
    cancelled = {"order_id": "o-b", "customer_id": c2, "from_status": "pending_payment",
                 "to_status": "cancelled", "reason": "payment_declined"}  # fmt: skip
    p1_update = {**product(p1, "shoes", "Acme", "45.00", d1("08:10")),
                 "updated_at": d2("07:00").isoformat()}  # fmt: skip
    return [
        registered("s-000001", "seller", d1("08:00")),
        registered(c1, "customer", d1("08:00")),
        registered(c2, "customer", d1("08:01")),
        created(p1, "shoes", "Acme", "50.00", d1("08:10")),
        created(p2, "shoes", "Brio", "100.00", d1("08:10")),
        created(p3, "books", "Acme", "20.00", d1("08:10")),
        stock(p1, 10, 10, "restock", d1("08:20")),
        stock(p2, 1, 1, "restock", d1("08:20")),
        stock(p3, 5, 5, "restock", d1("08:20")),
        # c1 comes in from elsewhere, searches and opens p1 from the results.
        viewed("pv-a", c1, "home", None, None, d1("09:59")),
        viewed("pv-b", c1, "search", None, "home", d1("10:00")),
        searched("srch-a", c1, "running shoes", [p1, p2, p3], d1("10:00")),
        viewed("pv-c", c1, "product", p1, "search", d1("10:01")),
        click("srch-a", c1, p1, 1, d1("10:01")),
        cart_add("cart-1", c1, p1, 2, "50.00", "srch-a", d1("10:02")),
        placed("o-a", c1, p1, 2, "50.00", d1("10:05"), search_id="srch-a", recommendation_id=None),
        # c2's feed (model version 7): p3 clicked, never bought.
        shown("rec-a", c2, "feed", None, "7", "sasrec", [p3, p1], d1("11:00")),
        rec_click("rec-a", c2, p3, 1, d1("11:01")),
        stock(p1, 8, -2, "order", d1("10:05")),
        *paid("pay-a", "o-a", c1, "100.00", d1("10:05")),
        (E.PRODUCT_UPDATED, p1, p1_update, d2("07:00")),
        shown("rec-empty", None, "feed", None, "popularity", "popularity", [], d2("08:00")),
        viewed("pv-d", None, "home", None, None, d2("08:59")),  # a guest
        searched("srch-b", c2, "shoes", [p2, p1], d2("09:00")),
        click("srch-b", c2, p2, 1, d2("09:01")),
        cart_add("cart-2", c2, p2, 1, "100.00", None, d2("09:02")),
        placed("o-b", c2, p2, 1, "100.00", d2("09:05")),
        stock(p2, 0, -1, "order", d2("09:05")),
        (E.PAYMENT_DECLINED, "pay-b", declined, d2("09:05")),
        (E.ORDER_STATUS_CHANGED, "o-b", cancelled, d2("09:05")),
        stock(p2, 1, 1, "cancel", d2("09:05")),
        # 25 hours after srch-a: too late to count as a purchase of that search.
        placed("o-c", c1, p2, 1, "100.00", d2("11:00")),
        stock(p2, 0, -1, "order", d2("11:00")),
        *paid("pay-c", "o-c", c1, "100.00", d2("11:00")),
        created(p4, "Books > Fiction", "Brio", "30.00", d3("08:00")),
        (E.PRODUCT_DELETED, p4, {"product_id": p4}, d3("09:00")),
        searched("srch-c", c1, "book", [p3, p1], d3("12:00")),
        # Similar items on p1's page (the popularity baseline): p3 clicked, carted and bought.
        shown("rec-b", c1, "similar", p1, "popularity", "also_bought", [p3], d3("12:30")),
        rec_click("rec-b", c1, p3, 1, d3("12:31")),
        # A second seller offers p3; c1 buys from that offer. Silver has no table of offers or
        # payouts yet: those events land in bronze and wait there.
        (E.OFFER_CREATED, p3, offered(p3, "s-000002", "20.00", d3("12:00")), d3("12:00")),
        cart_add("cart-1", c1, p3, 1, "20.00", None, d3("12:32"), recommendation_id="rec-b"),
        placed(
            "o-d",
            c1,
            p3,
            1,
            "20.00",
            d3("13:00"),
            recommendation_id="rec-b",
            offer_id="of-p3-s2",
            seller_id="s-000002",
        ),
        stock(p3, 4, -1, "order", d3("13:00")),
        *paid("pay-d", "o-d", c1, "20.00", d3("13:00")),
        (
            E.PAYOUT_RECORDED,
            "o-d",
            {
                "order_id": "o-d",
                "seller_id": "s-000002",
                "currency": "USD",
                "sold": "20.00",
                "refunded": "0.00",
                "owed": "20.00",
                "reason": "payment_captured",
            },
            d3("13:00"),
        ),
    ]


def write_part(folder: Path, rows: list[dict]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"part-{rows[0]['position']:012d}-{rows[-1]['position']:012d}.parquet"
    pq.write_table(pa.Table.from_pylist(rows, schema=SCHEMA), path)
    return path


def row(position: int, kind: str, aggregate: str, payload: dict | str, when: datetime) -> dict:
    body = payload if isinstance(payload, str) else json.dumps(payload, sort_keys=True)
    return {"position": position, "event_id": uuid.uuid4().hex, "type": kind,
            "aggregate_id": aggregate, "payload": body, "occurred_at": when}  # fmt: skip


def write_bronze(lake_dir: Path) -> dict[str, list[dict]]:
    """Writes the good days (plus a replayed click in a second file) and the corrupt day."""
    events = lake_dir / "bronze" / "events"
    rows = [row(i + 1, *event) for i, event in enumerate(good_events())]
    by_day: dict[str, list[dict]] = {}
    for r in rows:
        by_day.setdefault(r["occurred_at"].strftime("%Y-%m-%d"), []).append(r)
    for day, day_rows in by_day.items():
        write_part(events / f"dt={day}", day_rows)
    replayed_click = next(r for r in by_day["2024-05-02"] if r["type"] == E.SEARCH_RESULT_CLICKED)
    write_part(events / "dt=2024-05-02", [replayed_click])
    bad = [
        row(900, *placed("o-x", "c-000001", "p-000001", 1, "45.00", at(4, "10:00"))),
        row(901, E.SEARCH_RESULT_CLICKED, "srch-x", "{not json", at(4, "10:01")),
        row(902, E.SEARCH_RESULT_CLICKED, "srch-x", "{}", at(5, "10:01")),  # outside its dt
    ]  # fmt: skip
    write_part(events / f"dt={CORRUPT_DAY}", bad)
    return by_day
