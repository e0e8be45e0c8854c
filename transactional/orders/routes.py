"""HTTP entrypoints for orders: check out the acting customer's cart, read orders as each role
may, cancel an unpaid order, refund (admins), ship (sellers), track and return (customers)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from transactional.gateway.identity import ActingUser, StoreDep
from transactional.gateway.serialize import json_answer, to_json

router = APIRouter(prefix="/api/orders", tags=["orders"])

IdempotencyKey = Annotated[str | None, Header(min_length=1, max_length=200)]


class Checkout(BaseModel):
    model_config = ConfigDict(extra="forbid")
    # Any digits reach the gateway, which declines what is not a card (invalid_card).
    card_number: str = Field(pattern=r"^[0-9 ]{8,23}$")


class RefundRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    # None: everything not yet refunded.
    amount: Decimal | None = Field(default=None, gt=0, le=10_000_000, decimal_places=2)


class ReturnBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(default="", max_length=500)


@router.post("", status_code=201)
def checkout(
    body: Checkout, user: ActingUser, store: StoreDep, idempotency_key: IdempotencyKey = None
) -> Any:
    placed = store.orders.checkout(user.user_id, body.card_number, idempotency_key)
    return json_answer(placed, status_code=201)


@router.get("/{order_id}")
def get_order(order_id: str, user: ActingUser, store: StoreDep) -> Any:
    return to_json(store.orders.get_for(order_id, user))


@router.get("")
def order_history(
    user: ActingUser, store: StoreDep, limit: Annotated[int, Query(ge=1, le=200)] = 50
) -> Any:
    """Customers: their own orders; sellers: orders holding their products; admins: all."""
    return {"items": to_json(store.orders.history_for(user, limit))}


@router.post("/{order_id}/cancel")
def cancel_order(order_id: str, user: ActingUser, store: StoreDep) -> Any:
    return to_json(store.orders.cancel(order_id, user))


@router.post("/{order_id}/refund")
def refund_order(
    order_id: str,
    body: RefundRequest,
    _admin: ActingUser,
    store: StoreDep,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    refund_id = f"rf_{order_id}_{idempotency_key}" if idempotency_key else None
    return to_json(store.orders.refund(order_id, body.amount, refund_id))


@router.post("/{order_id}/shipment", status_code=201)
def create_shipment(order_id: str, user: ActingUser, store: StoreDep) -> Any:
    return to_json(store.shipping.create_shipment(order_id, user))


# Order ids are short words of letters, digits, _ and -; anything else is refused by field.
OrderId = Annotated[str, Path(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_-]+$")]


@router.get("/{order_id}/shipment")
def track_shipment(order_id: OrderId, user: ActingUser, store: StoreDep) -> Any:
    """The carrier, tracking number, latest status and the carrier's reports, oldest first:
    to the order's customer and the sellers of its products."""
    return to_json(store.shipping.tracking(order_id, user))


@router.post("/{order_id}/return", status_code=201)
def request_return(order_id: str, body: ReturnBody, user: ActingUser, store: StoreDep) -> Any:
    return to_json(store.shipping.request_return(order_id, user, body.reason))
