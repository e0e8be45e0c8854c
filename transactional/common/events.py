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

ALL_TYPES = (
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
