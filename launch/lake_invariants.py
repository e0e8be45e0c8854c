"""The lake's invariants against the outbox: every event in bronze exactly once, and silver
holding what the events say, up to the bronze silver was built from (its `_bronze_mark.json`)."""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pyarrow.dataset as ds
import pyarrow.parquet as pq
from sqlalchemy import create_engine, text

from contracts import events
from launch.invariants import SAMPLE, Check, Checks, check_store, failed
from spark_jobs.lake import read_bronze_mark


def outbox_facts(url: str, up_to_position: int | None = None) -> dict[str, Any]:
    """Event ids, positions and types of the outbox, and the silver row counts its events
    imply (orders, order items, payments, cart adds); only events up to a position if given."""
    engine = create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT event_id, type, payload, position FROM outbox ORDER BY position")
        ).all()
    engine.dispose()
    if up_to_position is not None:
        rows = [row for row in rows if row[3] <= up_to_position]
    payments = {
        json.loads(payload)["payment_id"]
        for _, kind, payload, _ in rows
        if kind in (events.PAYMENT_AUTHORIZED, events.PAYMENT_CAPTURED, events.PAYMENT_DECLINED)
    }
    placed = [json.loads(row[2]) for row in rows if row[1] == events.ORDER_PLACED]
    return {
        "ids": [row[0] for row in rows],
        "positions": {row[0]: row[3] for row in rows},
        "types": Counter(row[1] for row in rows),
        "expected_silver": {
            "orders": len({order["order_id"] for order in placed}),
            "order_items": sum(len(order["items"]) for order in placed),
            "payments": len(payments),
            "cart_adds": sum(1 for row in rows if row[1] == events.CART_ITEM_ADDED),
            "page_views": sum(1 for row in rows if row[1] == events.PAGE_VIEWED),
        },
    }


def bronze_ids(lake_dir: Path) -> tuple[list[str], Counter[str]]:
    table = pq.read_table(lake_dir / "bronze" / "events", columns=["event_id", "type"])
    return table.column("event_id").to_pylist(), Counter(table.column("type").to_pylist())


def check_lake(url: str, lake_dir: Path) -> Checks:
    """Outbox = bronze by event id (none lost, none doubled); silver's counts = the events'."""
    facts = outbox_facts(url)
    ids, bronze_types = bronze_ids(lake_dir)
    outbox_ids = set(facts["ids"])
    lost = sorted(outbox_ids - set(ids), key=facts["positions"].get)
    extra = sorted(set(ids) - outbox_ids)
    doubled = sorted(event for event, n in Counter(ids).items() if n > 1)
    ok = not (lost or extra or doubled) and bronze_types == facts["types"]
    detail = f"outbox {len(outbox_ids)} events, bronze {len(ids)} rows"
    if not ok:
        detail += (
            f"; lost {len(lost)} (positions {[facts['positions'][e] for e in lost[:SAMPLE]]}),"
            f" not in the outbox {len(extra)}, doubled {len(doubled)} {doubled[:SAMPLE]}"
        )
    checks = {"outbox_equals_bronze": Check(ok, detail)}
    mark = read_bronze_mark(lake_dir, "silver")
    if mark is not None:
        checks["silver_matches_events"] = _silver_matches(url, lake_dir, mark)
    return checks


def _silver_matches(url: str, lake_dir: Path, mark: dict[str, Any]) -> Check:
    expected = outbox_facts(url, up_to_position=mark["max_position"])["expected_silver"]
    found = {
        table: ds.dataset(lake_dir / "silver" / table, format="parquet").count_rows()
        for table in expected
    }
    detail = f"silver {found}, the events up to position {mark['max_position']}: {expected}"
    return Check(found == expected, detail)


def check_live_store(url: str, lake_dir: Path, seconds: float = 60) -> Checks:
    """The store's and the lake's invariants on a store that is still serving, read again until
    they hold or `seconds` pass: its last requests' events reach bronze a second or two after
    they commit, and an event really lost never lands."""
    deadline = time.monotonic() + seconds
    while True:
        checks = {**check_store(url), **check_lake(url, lake_dir)}
        if not failed(checks) or time.monotonic() > deadline:
            return checks
        time.sleep(1)
