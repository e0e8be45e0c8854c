"""The event log's one envelope and every event type, versioned. Payload keys are a public contract.

Consumers (search indexer, lake writer, Spark jobs, analytics export) read these names; a breaking
change to a payload gets a new version suffix, never an in-place edit.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

# Catalog. Payload is the full product snapshot:
#   product_id, seller_id, title, description, brand, category, price (str Decimal), currency,
#   rating (float 0-5), rating_count (int), image_url, created_at (ISO), updated_at (ISO)
PRODUCT_CREATED = "catalog.ProductCreated.v1"
PRODUCT_UPDATED = "catalog.ProductUpdated.v1"
#   product_id
PRODUCT_DELETED = "catalog.ProductDeleted.v1"

# Inventory:  product_id, quantity (new on-hand level, int >= 0), delta (int), reason
#   reason is one of: "restock", "order", "cancel", "adjust"
STOCK_CHANGED = "inventory.StockChanged.v1"

# Users:  customer_id, name, email, role ("customer" | "seller" | "admin"), registered_at
CUSTOMER_REGISTERED = "users.CustomerRegistered.v1"

# Cart:  cart_id, customer_id, product_id, quantity, unit_price (str), search_id (str | None)
CART_ITEM_ADDED = "cart.CartItemAdded.v1"

# Orders.
#   OrderPlaced: order_id, customer_id, status, currency, total (str),
#                items: [{product_id, quantity, unit_price (str)}], placed_at
ORDER_PLACED = "orders.OrderPlaced.v1"
#   OrderStatusChanged: order_id, customer_id, from_status, to_status, reason
ORDER_STATUS_CHANGED = "orders.OrderStatusChanged.v1"

# Payments:  payment_id, order_id, amount (str), currency, gateway_ref, decline_code (str | None)
PAYMENT_AUTHORIZED = "payments.PaymentAuthorized.v1"
PAYMENT_CAPTURED = "payments.PaymentCaptured.v1"
PAYMENT_DECLINED = "payments.PaymentDeclined.v1"

# Storefront behaviour (labels for learning to rank).
#   SearchPerformed: search_id, session_id, customer_id, query, ranker ("index" | model version),
#                    results: [{product_id, position (1-based), score (index score, float)}]
SEARCH_PERFORMED = "storefront.SearchPerformed.v1"
#   SearchResultClicked: search_id, session_id, customer_id, product_id, position
SEARCH_RESULT_CLICKED = "storefront.SearchResultClicked.v1"

ALL_TYPES: tuple[str, ...] = (
    PRODUCT_CREATED,
    PRODUCT_UPDATED,
    PRODUCT_DELETED,
    STOCK_CHANGED,
    CUSTOMER_REGISTERED,
    CART_ITEM_ADDED,
    ORDER_PLACED,
    ORDER_STATUS_CHANGED,
    PAYMENT_AUTHORIZED,
    PAYMENT_CAPTURED,
    PAYMENT_DECLINED,
    SEARCH_PERFORMED,
    SEARCH_RESULT_CLICKED,
)


@dataclass(frozen=True)
class Event:
    """The one envelope. `position` is assigned by the outbox table when the row is inserted."""

    type: str
    aggregate_id: str
    payload: dict[str, Any]
    occurred_at: datetime
    event_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    position: int | None = None

    def payload_json(self) -> str:
        return json.dumps(self.payload, sort_keys=True, default=str)


# The money path after checkout (appended; the types above keep their payloads).
# Inventory reasons added for StockChanged: "expire" (a reservation ran out before payment) and
#   "return" (a returned order's units back on the shelf). Reserving at checkout is "order" and
#   releasing it on a decline or cancellation is "cancel", as before: `quantity` stays the
#   sellable level.
# PaymentVoided: the payment keys above (decline_code "gateway_timeout" when the provider never
#   answered in time).
PAYMENT_VOIDED = "payments.PaymentVoided.v1"
# PaymentRefunded: the payment keys above, amount is this refund, plus refund_id and
#   refunded_total (str, everything refunded on this payment so far).
PAYMENT_REFUNDED = "payments.PaymentRefunded.v1"
# Shipping.
#   ShipmentCreated: shipment_id, order_id, carrier_ref, status ("created")
SHIPMENT_CREATED = "shipping.ShipmentCreated.v1"
#   ShipmentStatusChanged: shipment_id, order_id, from_status, to_status
#     (statuses: "created", "picked_up", "delivered")
SHIPMENT_STATUS_CHANGED = "shipping.ShipmentStatusChanged.v1"
#   ReturnRequested: return_id, order_id, customer_id, reason
RETURN_REQUESTED = "shipping.ReturnRequested.v1"
#   ReturnReceived: return_id, order_id
RETURN_RECEIVED = "shipping.ReturnReceived.v1"

ALL_TYPES = (
    *ALL_TYPES,
    PAYMENT_VOIDED,
    PAYMENT_REFUNDED,
    SHIPMENT_CREATED,
    SHIPMENT_STATUS_CHANGED,
    RETURN_REQUESTED,
    RETURN_RECEIVED,
)
