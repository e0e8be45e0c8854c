"""Shipment tracking as the order's customer and sellers see it: the carrier, its tracking
number, the store's latest status and every carrier report received, in the carrier's order."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Column, Connection, String, Table, insert, select

from transactional.common.clock import iso
from transactional.common.db import metadata
from transactional.shipping.domain import Shipment, ShipmentStatus

shipment_tracking = Table(
    "shipment_tracking",
    metadata,
    # The carrier's event id, so a webhook delivered twice is written once.
    Column("event_id", String(64), primary_key=True),
    Column("order_id", String(40), nullable=False, index=True),
    Column("status", String(16), nullable=False),
    Column("occurred_at", String(40), nullable=False),  # when the carrier says it happened
    Column("received_at", String(40), nullable=False),
)


@dataclass(frozen=True)
class TrackingEvent:
    status: str
    occurred_at: datetime


@dataclass(frozen=True)
class TrackingView:
    order_id: str
    carrier: str
    tracking_number: str
    status: str
    events: list[TrackingEvent]


def record_report(
    connection: Connection,
    event_id: str,
    order_id: str,
    status: ShipmentStatus,
    occurred_at: datetime,
    now: datetime,
) -> None:
    """Once per carrier event; the caller holds the order's lock, so a redelivery racing it
    sees the first row."""
    seen = select(shipment_tracking.c.event_id).where(shipment_tracking.c.event_id == event_id)
    if connection.execute(seen).first() is not None:
        return
    row = {"event_id": event_id, "order_id": order_id, "status": status.value}
    connection.execute(
        insert(shipment_tracking), {**row, "occurred_at": iso(occurred_at), "received_at": iso(now)}
    )


def tracking_view(connection: Connection, shipment: Shipment, carrier: str) -> TrackingView:
    rows = connection.execute(
        select(shipment_tracking).where(shipment_tracking.c.order_id == shipment.order_id)
    ).all()
    rank = {status.value: position for position, status in enumerate(ShipmentStatus)}
    # Reports come late and out of order; the carrier's clock (then the status) orders them.
    events = sorted(
        (TrackingEvent(row.status, datetime.fromisoformat(row.occurred_at)) for row in rows),
        key=lambda event: (event.occurred_at, rank.get(event.status, 0)),
    )
    return TrackingView(
        shipment.order_id, carrier, shipment.carrier_ref, shipment.status.value, events
    )
