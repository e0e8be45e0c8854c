"""The cart's JSON bodies as the OpenAPI schema shows them (documentation only: the routes
return plain dicts, so no second validation runs on the order path)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from transactional.cart.domain import CartChangeCode


class CartItemOut(BaseModel):
    product_id: str
    title: str
    quantity: int
    unit_price: str
    line_total: str
    available: bool
    offer_id: str | None
    seller_id: str | None


class CartChangeOut(BaseModel):
    code: CartChangeCode
    product_id: str
    requested: int | None
    available: int | None
    old_unit_price: str | None
    new_unit_price: str | None


class CartOut(BaseModel):
    cart_id: str | None
    customer_id: str | None
    items: list[CartItemOut]
    total: str
    currency: str
    changes: list[CartChangeOut]
    ready: bool


def cart_body(status: int) -> dict[int | str, dict[str, Any]]:
    return {status: {"model": CartOut, "description": "the cart, re-priced and re-checked"}}
