"""Sends a day's bronze events and the marts to analytics in signed, idempotent batches.

Repeating or retrying an export is safe: batch ids are derived from content (warehouse.batches).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from storeloop.settings import Settings
from warehouse.analytics_client import AnalyticsService, HttpAnalyticsService
from warehouse.batches import DEFAULT_BATCH_SIZE, split_into_batches
from warehouse.errors import WarehouseError, WarehouseErrorCode
from warehouse.marts import query_marts

# dataset -> query on the marts; snapshots (the dimensions) are sent whole whatever the day
MART_QUERIES = {
    "fct_orders": "select * from fct_orders where order_date = :day order by order_id",
    "daily_revenue": "select * from daily_revenue where order_date = :day",
    "dim_products": "select * from dim_products order by product_id",
    "dim_customers": "select * from dim_customers order by customer_id",
}


def export_to_analytics(
    settings: Settings,
    day: date | None = None,
    service: AnalyticsService | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> dict[str, Any]:
    """Export `day` (default: the latest day in the bronze lake); safe to repeat or retry."""
    events_dir = settings.lake_dir / "bronze" / "events"
    day = day or latest_event_day(events_dir)
    datasets = {"events": read_events(events_dir, day), **read_marts(settings, day)}
    owned = service is None
    service = service or HttpAnalyticsService(settings.analytics_url, settings.analytics_secret)
    summary: dict[str, Any] = {
        "day": day.isoformat(),
        "receiver_url": service.url,
        "batches_sent": 0,
        "duplicates": 0,
        "retries": 0,
        "rows": {},
    }
    try:
        for dataset, rows in datasets.items():
            for batch in split_into_batches(dataset, day, rows, batch_size):
                receipt = service.send(batch)
                summary["batches_sent"] += 1
                summary["duplicates"] += int(receipt.duplicate)
                summary["retries"] += receipt.attempts - 1
            summary["rows"][dataset] = len(rows)
    finally:
        if owned:
            service.close()
    return summary


def latest_event_day(events_dir: Path) -> date:
    days = sorted(path.name.removeprefix("dt=") for path in events_dir.glob("dt=*"))
    if not days:
        raise WarehouseError(WarehouseErrorCode.NO_EVENTS_FOR_DAY, f"no partitions in {events_dir}")
    return date.fromisoformat(days[-1])


def read_events(events_dir: Path, day: date) -> list[dict[str, Any]]:
    """The day's bronze events by position, once per event_id (bronze may hold replays)."""
    partition = events_dir / f"dt={day.isoformat()}"
    if not any(partition.glob("*.parquet")):
        return []
    with duckdb.connect() as connection:
        connection.execute("set TimeZone = 'UTC'")
        events = _records(
            connection,
            "select position, event_id, type, aggregate_id, payload, occurred_at"
            " from read_parquet(?) qualify row_number() over"
            " (partition by event_id order by position) = 1 order by position",
            [str(partition / "*.parquet")],
        )
    for event in events:
        event["payload"] = json.loads(event["payload"])
    return events


def read_marts(settings: Settings, day: date) -> dict[str, list[dict[str, Any]]]:
    return {name: query_marts(settings, sql, {"day": day}) for name, sql in MART_QUERIES.items()}


def _records(
    connection: duckdb.DuckDBPyConnection, sql: str, parameters: list[Any]
) -> list[dict[str, Any]]:
    cursor = connection.execute(sql, parameters)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]
