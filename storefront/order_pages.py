"""A customer's orders: status in their words, cancel an unpaid one, return a delivered one."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from storefront.visits import VisitDep

router = APIRouter()

CANCELLABLE = {"pending_payment"}  # a paid order is refunded, not cancelled


@router.get("/orders")
async def orders(visit: VisitDep, placed: str = "") -> Response:
    visit.require("customer")
    history = await visit.api.call("GET", "/api/orders", params={"limit": 50})
    return visit.render(
        "orders.html", orders=history["items"], placed=placed, cancellable=CANCELLABLE
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
