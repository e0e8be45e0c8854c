"""The cart and checkout: a guest's or a customer's cart as the API re-prices and re-checks it,
and payment with the sandbox provider's cards; a decline is said beside the card field."""

from __future__ import annotations

import secrets
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from storefront.gateway_client import ApiError
from storefront.visits import Visit, VisitDep, field_errors

router = APIRouter()

# The sandbox provider's cards, shown at checkout (transactional/payments/sandbox.py).
TEST_CARDS = [
    ("4242 4242 4242 4242", "approves"),
    ("4000 0000 0000 0002", "is declined"),
    ("4000 0000 0000 9995", "has insufficient funds"),
]
DECLINES = {
    "card_declined": "Your card was declined. Nothing was charged; try another card.",
    "insufficient_funds": "Your card has insufficient funds. Nothing was charged.",
    "gateway_timeout": "The payment provider did not answer in time. Nothing was charged.",
    "invalid_card": "That is not a valid card number.",
}


@router.post("/cart/items")
async def add_to_cart(visit: VisitDep) -> Response:
    form = await visit.form()
    body: dict[str, Any] = {"product_id": form.get("product_id", "")}
    for origin in ("search_id", "recommendation_id"):
        if form.get(origin):
            body[origin] = form[origin]
    try:
        body["quantity"] = int(form.get("quantity") or 1)
        await visit.api.call("POST", "/api/cart/items", json=body)
    except (ValueError, ApiError) as error:
        message = error.message if isinstance(error, ApiError) else "quantity must be a number"
        return await _cart_page(visit, {"form": message}, status=422)
    return visit.redirect("/shop/cart?added=1")


@router.post("/cart/items/{product_id}/remove")
async def remove_from_cart(product_id: str, visit: VisitDep) -> Response:
    await visit.form()
    try:
        await visit.api.call("DELETE", f"/api/cart/items/{product_id}")
    except ApiError as error:
        return await _cart_page(visit, {"form": error.message}, status=error.status)
    return visit.redirect("/shop/cart")


@router.get("/cart")
async def cart(visit: VisitDep, added: int = 0) -> Response:
    return await _cart_page(visit, {}, added=bool(added))


async def _cart_page(
    visit: Visit, errors: dict[str, str], status: int = 200, **context: Any
) -> Response:
    shown: dict[str, Any] = {"items": [], "changes": [], "total": "0.00", "currency": "USD"}
    if visit.session.signed_in or visit.session.cart_id:
        try:
            shown = await visit.api.call("GET", "/api/cart")
        except ApiError as error:
            if error.status not in (401, 403, 404):
                raise
    return visit.render(
        "cart.html",
        status=status,
        cart=shown,
        errors=errors,
        cards=TEST_CARDS,
        # One key per rendered form: a double submit places one order (the API's idempotency).
        checkout_key=secrets.token_hex(16),
        **context,
    )


@router.post("/checkout")
async def checkout(visit: VisitDep) -> Response:
    form = await visit.form()
    if visit.session.role != "customer":
        return visit.redirect("/shop/sign-in?next=/shop/cart")
    try:
        order = await visit.api.call(
            "POST",
            "/api/orders",
            json={"card_number": form.get("card_number", "")},
            headers={"Idempotency-Key": form.get("checkout_key") or secrets.token_hex(16)},
        )
    except ApiError as error:
        errors = field_errors(error, ("card_number",))
        return await _cart_page(visit, errors, status=error.status)
    if order["status"] != "paid":
        reason = DECLINES.get(order.get("decline_code") or "", "The payment did not go through.")
        return await _cart_page(visit, {"card_number": reason}, status=402)
    return visit.redirect(f"/shop/orders?placed={order['order_id']}")
