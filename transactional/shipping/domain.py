"""Shipments and returns: statuses only move forward, whatever order the carrier's news comes in."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from transactional.common.errors import Conflict, NotFound


class ShipmentStatus(StrEnum):
    CREATED = "created"
    PICKED_UP = "picked_up"
    DELIVERED = "delivered"


class ReturnStatus(StrEnum):
    REQUESTED = "requested"
    RECEIVED = "received"


# Tracking event type -> the status it reports.
TRACKING = {
    "tracking.picked_up": ShipmentStatus.PICKED_UP,
    "tracking.delivered": ShipmentStatus.DELIVERED,
}
RETURN_RECEIVED = "return.received"


def is_forward(current: ShipmentStatus, reported: ShipmentStatus) -> bool:
    order = list(ShipmentStatus)
    return order.index(reported) > order.index(current)


class ShippingErrorCode(StrEnum):
    NOT_SHIPPABLE = "order_not_shippable"
    NOT_RETURNABLE = "order_not_returnable"
    SHIPMENT_NOT_FOUND = "shipment_not_found"


class NotShippable(Conflict):
    def __init__(self, order_id: str, status: str) -> None:
        super().__init__(
            ShippingErrorCode.NOT_SHIPPABLE, f"order {order_id} is {status}, not paid", "order_id"
        )


class NotReturnable(Conflict):
    def __init__(self, order_id: str, why: str) -> None:
        super().__init__(ShippingErrorCode.NOT_RETURNABLE, f"order {order_id}: {why}", "order_id")


class ShipmentNotFound(NotFound):
    def __init__(self, order_id: str) -> None:
        super().__init__(
            ShippingErrorCode.SHIPMENT_NOT_FOUND, f"no shipment for {order_id}", "order_id"
        )


@dataclass(frozen=True)
class Shipment:
    shipment_id: str
    order_id: str
    carrier_ref: str
    status: ShipmentStatus


@dataclass(frozen=True)
class ReturnRequest:
    return_id: str
    order_id: str
    customer_id: str
    carrier_ref: str
    status: ReturnStatus
    reason: str
