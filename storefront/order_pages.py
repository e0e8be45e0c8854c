"""A customer's orders: status in their words, the carrier's tracking of shipped ones, cancel
an unpaid one, return a delivered one."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from storefront.gateway_client import ApiError
from storefront.visits import Visit, VisitDep

router = APIRouter()

CANCELLABLE = {"pending_payment"}  # a paid order is refunded, not cancelled
# Statuses an order has a shipment in; a refunded one may have been refunded before shipping.
SHIPPED = {"fulfilled", "shipped", "delivered", "returned", "refunded"}


async def tracking_of(visit: Visit, orders: list[dict[str, Any]]) -> dict[str, Any]:
    """order_id -> its tracking, for the orders that have a shipment; asked for all at once, since
    the gateway answers each from its own thread."""
    shipped = [order["order_id"] for order in orders if order["status"] in SHIPPED]
    found = await asyncio.gather(*(_tracking(visit, order_id) for order_id in shipped))
    return {order_id: view for order_id, view in zip(shipped, found, strict=True) if view}


async def _tracking(visit: Visit, order_id: str) -> Any:
    try:
        return await visit.api.call("GET", f"/api/orders/{order_id}/shipment")
    except ApiError as error:
        if error.code != "shipment_not_found":
            raise
        return None


@router.get("/orders")
async def orders(visit: VisitDep, placed: str = "") -> Response:
    visit.require("customer")
    history = await visit.api.call("GET", "/api/orders", params={"limit": 50})
    return visit.render(
        "orders.html",
        orders=history["items"],
        tracking=await tracking_of(visit, history["items"]),
        placed=placed,
        cancellable=CANCELLABLE,
    )


@router.post("/orders/{order_id}/return")
async def return_order(order_id: str, visit: VisitDep) -> Response:
    form = await visit.form()
    visit.require("customer")
    await visit.api.call(
        "POST", f"/api/orders/{order_id}/return", json={"reason": form.get("reason", "")[:500]}
    )
    return visit.redirect("/shop/orders")


@router.post("/orders/{order_id}/cancel")
async def cancel_order(order_id: str, visit: VisitDep) -> Response:
    await visit.form()
    visit.require("customer")
    await visit.api.call("POST", f"/api/orders/{order_id}/cancel")
    return visit.redirect("/shop/orders")
