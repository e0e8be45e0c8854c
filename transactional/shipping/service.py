"""Shipping handlers: ship a paid order, follow the carrier's tracking webhooks and show them,
take returns back and refund them through the payment gateway."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from contracts import events
from transactional.catalog.offers import home_offer_id
from transactional.common.ids import hex_id
from transactional.common.uow import Transaction, UnitOfWork
from transactional.inventory.domain import StockReason
from transactional.inventory.offer_stock import OfferStock
from transactional.orders.domain import ALLOWED, Order, OrderNotFound, OrderStatus
from transactional.orders.repository import OrderRepository
from transactional.orders.service import OrderService
from transactional.orders.settlement import change_status
from transactional.payments.receipts import ReceiptRepository
from transactional.shipping.domain import (
    RETURN_RECEIVED,
    TRACKING,
    NotReturnable,
    NotShippable,
    ReturnRequest,
    ReturnStatus,
    Shipment,
    ShipmentNotFound,
    ShipmentStatus,
    is_forward,
)
from transactional.shipping.port import ShippingProvider
from transactional.shipping.repository import ShippingRepository
from transactional.shipping.tracking import TrackingView, record_report, tracking_view
from transactional.users.domain import Role, User

PROVIDER = "shipping"
# The order statuses a tracking status implies, in the order they must be passed through.
ORDER_PATH = {
    ShipmentStatus.PICKED_UP: [OrderStatus.SHIPPED],
    ShipmentStatus.DELIVERED: [OrderStatus.SHIPPED, OrderStatus.DELIVERED],
}


class ShippingService:
    def __init__(self, uow: UnitOfWork, provider: ShippingProvider, orders: OrderService) -> None:
        self.uow = uow
        self.provider = provider
        self.orders = orders

    def create_shipment(self, order_id: str, user: User | None = None) -> Shipment:
        """Books the carrier for a paid order, which becomes `fulfilled`; again: the same one."""
        if user is not None:
            self.orders.get_for(order_id, user)  # a seller ships only orders with its products
        carrier_ref = self.provider.create_shipment(order_id)  # idempotent on the order id
        with self.uow.begin() as tx:
            order = _locked_order(tx, order_id)
            shipping = ShippingRepository(tx.connection)
            if (existing := shipping.shipment_of(order_id)) is not None:
                return existing
            if order.status is not OrderStatus.PAID:
                raise NotShippable(order_id, order.status.value)
            shipment = Shipment(hex_id("shp"), order_id, carrier_ref, ShipmentStatus.CREATED)
            shipping.add_shipment(shipment, tx.now)
            record_report(
                tx.connection, shipment.shipment_id, order_id, shipment.status, tx.now, tx.now
            )
            payload = {**shipment.__dict__, "status": shipment.status.value}
            tx.record(events.SHIPMENT_CREATED, order_id, payload)
            change_status(tx, order, OrderStatus.FULFILLED, "shipment_created")
        return shipment

    def tracking(self, order_id: str, user: User) -> TrackingView:
        """The order's customer and the sellers of its products (and admins) see it; anyone
        else gets OrderNotFound, an order not shipped yet ShipmentNotFound."""
        self.orders.get_for(order_id, user)
        with self.uow.read() as connection:
            shipment = ShippingRepository(connection).shipment_of(order_id)
            if shipment is None:
                raise ShipmentNotFound(order_id)
            return tracking_view(connection, shipment, self.provider.carrier)

    def request_return(self, order_id: str, customer: User, reason: str = "") -> ReturnRequest:
        """A delivered order, by its own customer; the carrier issues a return label."""
        order = self.orders.get(order_id, customer_id=customer.user_id)
        if customer.role is not Role.CUSTOMER:
            raise OrderNotFound(order_id)
        if order.status != OrderStatus.DELIVERED.value:
            raise NotReturnable(order_id, f"it is {order.status}, not delivered")
        carrier_ref = self.provider.create_return(order_id)
        with self.uow.begin() as tx:
            shipping = ShippingRepository(tx.connection)
            if (existing := shipping.return_of(order_id)) is not None:
                return existing
            request = ReturnRequest(
                hex_id("rtn"),
                order_id,
                customer.user_id,
                carrier_ref,
                ReturnStatus.REQUESTED,
                reason,
            )
            shipping.add_return(request, tx.now)
            tx.record(
                events.RETURN_REQUESTED,
                order_id,
                {
                    "return_id": request.return_id,
                    "order_id": order_id,
                    "customer_id": customer.user_id,
                    "reason": reason,
                },
            )
        return request

    def apply_webhook(self, event: dict[str, Any]) -> str:
        """A verified carrier event: "duplicate", "applied", "stale" or "unknown"."""
        event_id, event_type = str(event["id"]), str(event["type"])
        order_id = str((event.get("data") or {}).get("order_id", ""))
        with self.uow.read() as connection:
            if ReceiptRepository(connection).seen(PROVIDER, event_id):
                return "duplicate"
        if event_type in TRACKING:
            reported_at = _reported_at(event, self.uow.clock.now())
            outcome = self._track(order_id, TRACKING[event_type], event_id, reported_at)
        elif event_type == RETURN_RECEIVED:
            outcome = self._return_received(order_id)
        else:
            outcome = "unknown"
        with self.uow.begin() as tx:
            ReceiptRepository(tx.connection).add(PROVIDER, event_id, event_type, tx.now)
        return outcome

    def _track(
        self, order_id: str, reported: ShipmentStatus, event_id: str, reported_at: datetime
    ) -> str:
        with self.uow.begin() as tx:
            shipping = ShippingRepository(tx.connection)
            shipment = shipping.shipment_of(order_id)
            if shipment is None:
                return "unknown"
            order = _locked_order(tx, order_id)
            # The history keeps a late report too: the pickup did happen, before the delivery.
            record_report(tx.connection, event_id, order_id, reported, reported_at, tx.now)
            if not is_forward(shipment.status, reported):
                return "stale"  # a late pickup after the delivery changes nothing
            shipping.move_shipment(shipment, reported, tx.now)
            tx.record(
                events.SHIPMENT_STATUS_CHANGED,
                order_id,
                {
                    "shipment_id": shipment.shipment_id,
                    "order_id": order_id,
                    "from_status": shipment.status.value,
                    "to_status": reported.value,
                },
            )
            for wanted in ORDER_PATH[reported]:
                if wanted in ALLOWED[order.status]:
                    change_status(tx, order, wanted, f"tracking_{reported.value}")
        return "applied"

    def _return_received(self, order_id: str) -> str:
        with self.uow.begin() as tx:
            shipping = ShippingRepository(tx.connection)
            request = shipping.return_of(order_id)
            if request is None:
                return "unknown"
            order = _locked_order(tx, order_id)
            if shipping.receive_return(request.return_id, tx.now):
                payload = {"return_id": request.return_id, "order_id": order_id}
                tx.record(events.RETURN_RECEIVED, order_id, payload)
                change_status(tx, order, OrderStatus.RETURNED, "return_received")
                _restock(tx, order)
        if order.status is OrderStatus.RETURNED:
            # Also on a redelivery: a crash after the receipt but before the refund is retried.
            self.orders.refund(order_id, refund_id=f"rf_{order_id}_return")
        return "applied"


def _reported_at(event: dict[str, Any], received: datetime) -> datetime:
    # The carrier's own time of the event; a report without one counts from its arrival.
    created = event.get("created")
    if isinstance(created, int) and not isinstance(created, bool):
        try:
            return datetime.fromtimestamp(created, UTC)
        except (OverflowError, OSError, ValueError):
            pass
    return received


def _locked_order(tx: Transaction, order_id: str) -> Order:
    order = OrderRepository(tx.connection).get(order_id, lock=True)
    if order is None:
        raise OrderNotFound(order_id)
    return order


def _restock(tx: Transaction, order: Order) -> None:
    """Returned units go back to the offer they were bought from (none if it was withdrawn)."""
    stock = OfferStock(tx.connection)
    for line in sorted(order.lines, key=lambda li: li.product_id):
        offer_id = line.offer_id or home_offer_id(line.product_id)
        if change := stock.add(offer_id, line.product_id, line.quantity, StockReason.RETURN):
            tx.record(events.STOCK_CHANGED, line.product_id, change.payload())
