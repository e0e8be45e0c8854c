"""The seller's pages: their listings (create, edit, restock) and the orders of their products,
each shipped from here."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from storefront.gateway_client import ApiError
from storefront.order_pages import tracking_of
from storefront.visits import Visit, VisitDep, field_errors

router = APIRouter(prefix="/seller")

LISTING_FIELDS = ("title", "brand", "category", "price", "description")
MAX_PAGES = 20  # of 200 products: the listings page reads at most 4,000 products


async def _my_listings(visit: Visit) -> list[dict[str, Any]]:
    # The API lists the catalog by cursor, not by seller: the pages are read and filtered here.
    mine: list[dict[str, Any]] = []
    cursor = None
    for _ in range(MAX_PAGES):
        page = await visit.api.call("GET", "/api/products", params={"limit": 200, "cursor": cursor})
        mine += [p for p in page["items"] if p["seller_id"] == visit.session.user_id]
        cursor = page.get("next_cursor")
        if not cursor:
            break
    return mine


async def _listings_page(
    visit: Visit, errors: dict[str, str], values: Mapping[str, str], status: int = 200
) -> Response:
    return visit.render(
        "seller/listings.html",
        status=status,
        listings=await _my_listings(visit),
        errors=errors,
        values=values,
        fields=LISTING_FIELDS,
    )


@router.get("")
async def listings(visit: VisitDep) -> Response:
    visit.require("seller")
    return await _listings_page(visit, {}, {})


def _listing_body(form: Mapping[str, str]) -> dict[str, Any]:
    return {name: form.get(name, "").strip() for name in LISTING_FIELDS}


@router.post("/products")
async def create_listing(visit: VisitDep) -> Response:
    form = await visit.form()
    visit.require("seller")
    body = _listing_body(form)
    try:
        body["initial_stock"] = int(form.get("initial_stock") or 0)
    except ValueError:
        errors = {"initial_stock": "Stock must be a whole number."}
        return await _listings_page(visit, errors, form, status=422)
    try:
        await visit.api.call("POST", "/api/products", json=body)
    except ApiError as error:
        errors = field_errors(error, (*LISTING_FIELDS, "initial_stock"))
        return await _listings_page(visit, errors, form, status=error.status)
    return visit.redirect("/shop/seller")


@router.get("/products/{product_id}")
async def edit_form(product_id: str, visit: VisitDep) -> Response:
    visit.require("seller")
    shown = await visit.api.call("GET", f"/api/products/{product_id}")
    values = {name: str(shown.get(name, "")) for name in LISTING_FIELDS}
    return visit.render("seller/edit.html", product=shown, values=values, errors={})


@router.post("/products/{product_id}")
async def edit_listing(product_id: str, visit: VisitDep) -> Response:
    form = await visit.form()
    visit.require("seller")
    try:
        await visit.api.call("PATCH", f"/api/products/{product_id}", json=_listing_body(form))
    except ApiError as error:
        shown = await visit.api.call("GET", f"/api/products/{product_id}")
        errors = field_errors(error, LISTING_FIELDS)
        return visit.render(
            "seller/edit.html", status=error.status, product=shown, values=form, errors=errors
        )
    return visit.redirect("/shop/seller")


@router.post("/products/{product_id}/delete")
async def delete_listing(product_id: str, visit: VisitDep) -> Response:
    await visit.form()
    visit.require("seller")
    try:
        await visit.api.call("DELETE", f"/api/products/{product_id}")
    except ApiError as error:  # e.g. still on an order under way
        return await _listings_page(visit, {"delete": f"{product_id}: {error.message}"}, {}, 409)
    return visit.redirect("/shop/seller")


@router.post("/products/{product_id}/stock")
async def restock(product_id: str, visit: VisitDep) -> Response:
    form = await visit.form()
    visit.require("seller")
    try:
        quantity = int(form.get("quantity") or 0)
        await visit.api.call(
            "POST", f"/api/products/{product_id}/stock", json={"quantity": quantity}
        )
    except (ValueError, ApiError) as error:
        message = error.message if isinstance(error, ApiError) else "a whole number of units"
        return await _listings_page(visit, {"restock": f"{product_id}: {message}"}, {}, 422)
    return visit.redirect("/shop/seller")


@router.get("/orders")
async def seller_orders(visit: VisitDep) -> Response:
    visit.require("seller")
    history = await visit.api.call("GET", "/api/orders", params={"limit": 100})
    orders = history["items"]
    return visit.render(
        "seller/orders.html", orders=orders, tracking=await tracking_of(visit, orders)
    )


@router.post("/orders/{order_id}/ship")
async def ship(order_id: str, visit: VisitDep) -> Response:
    await visit.form()
    visit.require("seller")
    await visit.api.call("POST", f"/api/orders/{order_id}/shipment")
    return visit.redirect("/shop/seller/orders")
