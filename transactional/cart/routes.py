"""HTTP entrypoints for the acting customer's cart."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from transactional.cart.domain import MAX_LINE_QUANTITY
from transactional.gateway.identity import ActingUser, StoreDep
from transactional.gateway.serialize import to_json

router = APIRouter(prefix="/api/cart", tags=["cart"])


class NewCartItem(BaseModel):
    model_config = ConfigDict(extra="forbid")
    product_id: str = Field(min_length=1)
    quantity: int = Field(default=1, gt=0, le=MAX_LINE_QUANTITY)
    search_id: str | None = None


@router.post("/items", status_code=201)
def add_item(body: NewCartItem, user: ActingUser, store: StoreDep) -> Any:
    store.cart.add_item(user.user_id, body.product_id, body.quantity, body.search_id)
    return to_json(store.cart.view(user.user_id))


@router.get("")
def view_cart(user: ActingUser, store: StoreDep) -> Any:
    return to_json(store.cart.view(user.user_id))
