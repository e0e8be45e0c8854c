"""SQL shipments and returns: one of each per order at most; status writes are compare-and-set."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Connection, String, Table, insert, select, update

from transactional.common.clock import iso
from transactional.common.db import metadata
from transactional.shipping.domain import ReturnRequest, ReturnStatus, Shipment, ShipmentStatus

shipments = Table(
    "shipments",
    metadata,
    Column("shipment_id", String(40), primary_key=True),
    Column("order_id", String(40), nullable=False, unique=True),
    Column("carrier_ref", String(80), nullable=False, unique=True),
    Column("status", String(16), nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("updated_at", String(40), nullable=False),
)

order_returns = Table(
    "order_returns",
    metadata,
    Column("return_id", String(40), primary_key=True),
    Column("order_id", String(40), nullable=False, unique=True),
    Column("customer_id", String(32), nullable=False),
    Column("carrier_ref", String(80), nullable=False, unique=True),
    Column("status", String(16), nullable=False),
    Column("reason", String(500), nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("updated_at", String(40), nullable=False),
)


class ShippingRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def add_shipment(self, shipment: Shipment, now: datetime) -> None:
        row = {**shipment.__dict__, "status": shipment.status.value}
        self.connection.execute(
            insert(shipments), {**row, "created_at": iso(now), "updated_at": iso(now)}
        )

    def shipment_of(self, order_id: str) -> Shipment | None:
        row = self.connection.execute(select(shipments).where(shipments.c.order_id == order_id))
        found = row.first()
        if found is None:
            return None
        return Shipment(
            found.shipment_id, found.order_id, found.carrier_ref, ShipmentStatus(found.status)
        )

    def move_shipment(self, shipment: Shipment, wanted: ShipmentStatus, now: datetime) -> bool:
        moved = self.connection.execute(
            update(shipments)
            .where(
                shipments.c.shipment_id == shipment.shipment_id,
                shipments.c.status == shipment.status.value,
            )
            .values(status=wanted.value, updated_at=iso(now))
        )
        return moved.rowcount > 0

    def add_return(self, request: ReturnRequest, now: datetime) -> None:
        row = {**request.__dict__, "status": request.status.value}
        self.connection.execute(
            insert(order_returns), {**row, "created_at": iso(now), "updated_at": iso(now)}
        )

    def return_of(self, order_id: str) -> ReturnRequest | None:
        query = select(order_returns).where(order_returns.c.order_id == order_id)
        found = self.connection.execute(query).first()
        if found is None:
            return None
        return ReturnRequest(
            found.return_id,
            found.order_id,
            found.customer_id,
            found.carrier_ref,
            ReturnStatus(found.status),
            found.reason,
        )

    def receive_return(self, return_id: str, now: datetime) -> bool:
        moved = self.connection.execute(
            update(order_returns)
            .where(
                order_returns.c.return_id == return_id,
                order_returns.c.status == ReturnStatus.REQUESTED.value,
            )
            .values(status=ReturnStatus.RECEIVED.value, updated_at=iso(now))
        )
        return moved.rowcount > 0
