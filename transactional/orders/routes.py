"""HTTP entrypoints for orders: check out the acting customer's cart, read its orders."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header
from pydantic import BaseModel, ConfigDict, Field

from transactional.gateway.identity import ActingUser, StoreDep
from transactional.gateway.serialize import to_json

router = APIRouter(prefix="/api/orders", tags=["orders"])


class Checkout(BaseModel):
    model_config = ConfigDict(extra="forbid")
    # Any digits reach the gateway, which declines what is not a card (invalid_card).
    card_number: str = Field(pattern=r"^[0-9 ]{8,23}$")


@router.post("", status_code=201)
def checkout(
    body: Checkout,
    user: ActingUser,
    store: StoreDep,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> Any:
    return to_json(store.orders.checkout(user.user_id, body.card_number, idempotency_key))


@router.get("/{order_id}")
def get_order(order_id: str, user: ActingUser, store: StoreDep) -> Any:
    return to_json(store.orders.get(order_id, customer_id=user.user_id))


@router.get("")
def order_history(user: ActingUser, store: StoreDep) -> Any:
    return {"items": to_json(store.orders.history(user.user_id))}
