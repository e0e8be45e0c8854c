"""The event log's one envelope, every event type (versioned) and its payload schema.

Payload keys are a public contract: the store writes them, the consumers, Spark jobs, quality
gates and serving read them. A breaking change to a payload gets a new version suffix, never an
in-place edit; a new optional key is not breaking (readers of older events see it as null).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

# Field types of the payload schemas: JSON scalars by name; a list of one dict is a list of
# records of that shape. `money` is a Decimal as a string ("12.50"); `instant` is ISO 8601;
# `json` a JSON object or array, which the lake's tables keep as its JSON text (compact).
STRING, LONG, DOUBLE, MONEY, INSTANT = "string", "long", "double", "money", "instant"
JSON = "json"
Schema = dict[str, Any]

# Catalog: the full product snapshot on create and update. Products with variants (Amazon's
# parent and child items): a variant's snapshot adds `parent_id` and `options` (its values, an
# object of option name to value); its parent's, which is never bought, adds `option_names` (a
# list, in the order shoppers pick them). A standalone product's has none of the three.
PRODUCT_CREATED = "catalog.ProductCreated.v1"
PRODUCT_UPDATED = "catalog.ProductUpdated.v1"
PRODUCT_DELETED = "catalog.ProductDeleted.v1"
# Reviews: a buyer's stars (1-5) and text; the product's seller answers a review once. A review
# also changes the product's shown rating, so a ProductUpdated with the new figures follows it in
# the same transaction (its `rating` is the reviews' average once any exist, else the listing's).
REVIEW_POSTED = "catalog.ReviewPosted.v1"
REVIEW_ANSWERED = "catalog.ReviewAnswered.v1"
# Offers: a seller's price, stock and shipping time (days) for a product; several sellers may
# offer one product. Every product has its lister's offer (`of-<product_id>`), which its
# ProductCreated and ProductUpdated already describe: these events tell of the other sellers'
# offers, and of any offer changed through the offers API. `stock` is that offer's own level.
OFFER_CREATED = "catalog.OfferCreated.v1"
OFFER_CHANGED = "catalog.OfferChanged.v1"
OFFER_DELETED = "catalog.OfferDeleted.v1"
# Inventory: `quantity` is the product's new sellable level (>= 0), summed over its offers;
# `reason` one of STOCK_REASONS; `offer_id` and `offer_stock` the offer that moved and its level.
STOCK_CHANGED = "inventory.StockChanged.v1"
STOCK_REASONS = ("restock", "order", "cancel", "adjust", "expire", "return")
# Users: role is "customer", "seller" or "admin".
CUSTOMER_REGISTERED = "users.CustomerRegistered.v1"
# A password was changed (every token of the account was revoked with it): the hook for telling
# the account's owner, whoever changed it.
PASSWORD_CHANGED = "users.PasswordChanged.v1"  # noqa: S105 - an event type, not a secret
# A password was set through an emailed reset token (every token of the account was revoked).
PASSWORD_RESET = "users.PasswordReset.v1"  # noqa: S105 - an event type, not a secret
# A second factor (TOTP) was turned on (every token of the account was revoked with it).
MFA_ENABLED = "users.MfaEnabled.v1"
# Cart: a line added from a search result (`search_id`) or a recommendation
# (`recommendation_id`), or from neither (a product page reached otherwise).
CART_ITEM_ADDED = "cart.CartItemAdded.v1"
# Orders: each item says where its cart line came from (search or recommendation).
ORDER_PLACED = "orders.OrderPlaced.v1"
ORDER_STATUS_CHANGED = "orders.OrderStatusChanged.v1"
# What the store owes one seller for one order: `sold` the seller's lines, `refunded` their share
# of the refunds so far, `owed` the difference; recorded when the payment is captured and again
# after each refund (`reason` "payment_captured" or "refund").
PAYOUT_RECORDED = "orders.PayoutRecorded.v1"
# Payments (decline_code "gateway_timeout" when the provider never answered in time).
PAYMENT_AUTHORIZED = "payments.PaymentAuthorized.v1"
PAYMENT_CAPTURED = "payments.PaymentCaptured.v1"
PAYMENT_DECLINED = "payments.PaymentDeclined.v1"
PAYMENT_VOIDED = "payments.PaymentVoided.v1"
# A refund: `amount` is this refund, `refunded_total` everything refunded on the payment so far.
PAYMENT_REFUNDED = "payments.PaymentRefunded.v1"
# Shipping (shipment statuses: "created", "picked_up", "delivered").
SHIPMENT_CREATED = "shipping.ShipmentCreated.v1"
SHIPMENT_STATUS_CHANGED = "shipping.ShipmentStatusChanged.v1"
RETURN_REQUESTED = "shipping.ReturnRequested.v1"
RETURN_RECEIVED = "shipping.ReturnReceived.v1"
# Storefront behaviour: the labels for learning to rank and the outcomes of the models.
# `ranker` and `recommender` name what produced the list: a registry version ("7") or, where no
# version is champion, the baseline serving falls back to ("index", "popularity").
SEARCH_PERFORMED = "storefront.SearchPerformed.v1"
SEARCH_RESULT_CLICKED = "storefront.SearchResultClicked.v1"
# Recommendations shown on a surface: "feed" (the shopper's home page) or "similar" (a product
# page's similar items, `anchor_product_id` being that product); `strategy` says how the list
# was filled (e.g. "sasrec", "item_knn", "popularity", "content", "also_bought").
RECOMMENDATIONS_SHOWN = "storefront.RecommendationsShown.v1"
RECOMMENDATION_CLICKED = "storefront.RecommendationClicked.v1"
RECOMMENDATION_SURFACES = ("feed", "similar")
# A page of the web storefront a shopper loaded (crawlers and probes are not counted): `page` one
# of PAGE_KINDS, `path` the URL path without its query, `product_id` on a product page,
# `referrer_page` the kind of the shop's page the shopper came from (absent when they came from
# elsewhere or the browser did not say).
PAGE_VIEWED = "storefront.PageViewed.v1"
PAGE_KINDS = ("home", "search", "product", "cart", "orders", "sign_in", "sign_up", "seller")
# The A/B test's arm of the shopper a list was shown to (storeloop.arms draws it), on search and
# recommendation lists; absent for anonymous visitors and lists logged before the test.
EXPERIMENT_ARMS = ("control", "models")
# Randomised logging on SearchPerformed: `swapped_at` k means the results at positions k and k + 1
# were swapped at random (serving's explore share); absent when the list was shown as ranked.

_PRODUCT: Schema = {
    "product_id": STRING, "seller_id": STRING, "title": STRING, "description": STRING,
    "brand": STRING, "category": STRING, "price": MONEY, "currency": STRING, "rating": DOUBLE,
    "rating_count": LONG, "image_url": STRING, "created_at": INSTANT, "updated_at": INSTANT,
    "parent_id": STRING, "options": JSON, "option_names": JSON,
}  # fmt: skip
_OFFER: Schema = {
    "offer_id": STRING, "product_id": STRING, "seller_id": STRING, "price": MONEY,
    "currency": STRING, "stock": LONG, "shipping_days": LONG, "created_at": INSTANT,
    "updated_at": INSTANT,
}  # fmt: skip
_PAYMENT: Schema = {
    "payment_id": STRING, "order_id": STRING, "amount": MONEY, "currency": STRING,
    "gateway_ref": STRING, "decline_code": STRING,
}  # fmt: skip
_SHOWN: list[Schema] = [{"product_id": STRING, "position": LONG, "score": DOUBLE}]
# A search result also names its `team` when the list interleaved two rankers: the version
# that placed it, so its clicks are credited to that ranker. Absent otherwise, and on a result
# both rankers would have placed next (its clicks tell them apart no more than a coin would).
_RANKED: list[Schema] = [{**_SHOWN[0], "team": STRING}]

PAYLOADS: dict[str, Schema] = {
    PRODUCT_CREATED: _PRODUCT,
    PRODUCT_UPDATED: _PRODUCT,
    PRODUCT_DELETED: {"product_id": STRING},
    REVIEW_POSTED: {
        "review_id": STRING, "product_id": STRING, "customer_id": STRING, "rating": LONG,
        "text": STRING, "created_at": INSTANT,
    },
    REVIEW_ANSWERED: {
        "review_id": STRING, "product_id": STRING, "seller_id": STRING, "answer": STRING,
        "answered_at": INSTANT,
    },
    OFFER_CREATED: _OFFER,
    OFFER_CHANGED: _OFFER,
    OFFER_DELETED: {"offer_id": STRING, "product_id": STRING, "seller_id": STRING},
    STOCK_CHANGED: {
        "product_id": STRING, "quantity": LONG, "delta": LONG, "reason": STRING,
        "offer_id": STRING, "offer_stock": LONG,
    },
    CUSTOMER_REGISTERED: {
        "customer_id": STRING, "name": STRING, "email": STRING, "role": STRING,
        "registered_at": INSTANT,
    },
    PASSWORD_CHANGED: {"customer_id": STRING, "email": STRING, "changed_at": INSTANT},
    PASSWORD_RESET: {"customer_id": STRING, "email": STRING, "reset_at": INSTANT},
    MFA_ENABLED: {"customer_id": STRING, "email": STRING, "enabled_at": INSTANT},
    CART_ITEM_ADDED: {
        "cart_id": STRING, "customer_id": STRING, "product_id": STRING, "quantity": LONG,
        "unit_price": MONEY, "search_id": STRING, "recommendation_id": STRING,
        "offer_id": STRING, "seller_id": STRING,
    },
    ORDER_PLACED: {
        "order_id": STRING, "customer_id": STRING, "status": STRING, "currency": STRING,
        "total": MONEY, "placed_at": INSTANT,
        "items": [{
            "product_id": STRING, "quantity": LONG, "unit_price": MONEY, "search_id": STRING,
            "recommendation_id": STRING, "offer_id": STRING, "seller_id": STRING,
        }],
    },
    ORDER_STATUS_CHANGED: {
        "order_id": STRING, "customer_id": STRING, "from_status": STRING, "to_status": STRING,
        "reason": STRING,
    },
    PAYOUT_RECORDED: {
        "order_id": STRING, "seller_id": STRING, "currency": STRING, "sold": MONEY,
        "refunded": MONEY, "owed": MONEY, "reason": STRING,
    },
    PAYMENT_AUTHORIZED: _PAYMENT,
    PAYMENT_CAPTURED: _PAYMENT,
    PAYMENT_DECLINED: _PAYMENT,
    PAYMENT_VOIDED: _PAYMENT,
    PAYMENT_REFUNDED: {**_PAYMENT, "refund_id": STRING, "refunded_total": MONEY},
    SHIPMENT_CREATED: {
        "shipment_id": STRING, "order_id": STRING, "carrier_ref": STRING, "status": STRING,
    },
    SHIPMENT_STATUS_CHANGED: {
        "shipment_id": STRING, "order_id": STRING, "from_status": STRING, "to_status": STRING,
    },
    RETURN_REQUESTED: {
        "return_id": STRING, "order_id": STRING, "customer_id": STRING, "reason": STRING,
    },
    RETURN_RECEIVED: {"return_id": STRING, "order_id": STRING},
    SEARCH_PERFORMED: {
        "search_id": STRING, "session_id": STRING, "customer_id": STRING, "query": STRING,
        "ranker": STRING, "arm": STRING, "swapped_at": LONG, "results": _RANKED,
    },
    SEARCH_RESULT_CLICKED: {
        "search_id": STRING, "session_id": STRING, "customer_id": STRING, "product_id": STRING,
        "position": LONG,
    },
    RECOMMENDATIONS_SHOWN: {
        "recommendation_id": STRING, "session_id": STRING, "customer_id": STRING,
        "surface": STRING, "anchor_product_id": STRING, "recommender": STRING,
        "strategy": STRING, "arm": STRING, "items": _SHOWN,
    },
    RECOMMENDATION_CLICKED: {
        "recommendation_id": STRING, "session_id": STRING, "customer_id": STRING,
        "product_id": STRING, "position": LONG,
    },
    PAGE_VIEWED: {
        "page_view_id": STRING, "session_id": STRING, "customer_id": STRING, "page": STRING,
        "path": STRING, "product_id": STRING, "referrer_page": STRING,
    },
}  # fmt: skip

ALL_TYPES: tuple[str, ...] = tuple(PAYLOADS)


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


def unknown_keys(event_type: str, payload: dict[str, Any]) -> list[str]:
    """Payload keys the schema of `event_type` does not declare (nested records included, as
    `items.0.colour`); a writer's test asserts this is empty."""
    return _unknown(PAYLOADS[event_type], payload, "")


def _unknown(schema: Schema, payload: dict[str, Any], prefix: str) -> list[str]:
    found = []
    for key, value in payload.items():
        kind = schema.get(key)
        if kind is None:
            found.append(prefix + key)
        elif isinstance(kind, list) and isinstance(value, list):
            for n, record in enumerate(value):
                if isinstance(record, dict):
                    found += _unknown(kind[0], record, f"{prefix}{key}.{n}.")
    return found
