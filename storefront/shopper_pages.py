"""The shopper's pages: home, search, product, cart and checkout, orders."""

from __future__ import annotations

import secrets
from typing import Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, Response

from storefront.gateway_client import ApiError
from storefront.search_terms import (
    PAGE_SIZE,
    RELAXED,
    SORTS,
    facet_choice,
    facet_label,
    page_url,
    query_text,
)
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
SEARCH_AWAY = "Search is not available right now. Please try again in a minute."
CANCELLABLE = {"pending_payment"}  # a paid order is refunded, not cancelled


async def _optional(visit: Visit, path: str, **params: Any) -> Any:
    """What serving answers, or None when it is away: a page without recommendations is
    still a page."""
    try:
        return await visit.api.call("GET", path, params=params)
    except ApiError:
        return None


@router.get("/")
async def home(visit: VisitDep) -> Response:
    feed = None
    if visit.customer_id:
        feed = await _optional(visit, f"/api/recommendations/{visit.customer_id}", k=8)
    popular = await _optional(visit, "/api/search", q="", sort="rating", limit=8, facets="false")
    return visit.render(
        "home.html",
        feed=(feed or {}).get("items", []),
        feed_id=await _record_list(visit, "feed", None, feed),
        popular=(popular or {}).get("results", []),
    )


@router.get("/search")
async def search(
    visit: VisitDep,
    q: str = Query("", max_length=500),
    sort: str = "relevance",
    page: int = Query(1, ge=1, le=1000),
    brand: str = "",
    category: str = "",
    min_price: str = "",
    max_price: str = "",
    min_rating: str = "",
) -> Response:
    chosen = {"brand": brand, "category": category, "min_price": min_price}
    chosen |= {"max_price": max_price, "min_rating": min_rating}
    sort = sort if sort in SORTS else "relevance"
    try:
        found = await visit.api.call(
            "GET",
            "/api/search",
            params={
                "q": query_text(q, chosen),
                "limit": PAGE_SIZE,
                "page": page,
                "sort": None if sort == "relevance" else sort,
                "customer_id": visit.customer_id,
            },
        )
    except ApiError as error:
        if error.status != 503:
            raise
        return visit.render("error.html", status=503, message=SEARCH_AWAY)
    search_id = None
    if visit.counted and found["results"]:
        search_id = await _record_search(visit, found)
    pages = max(1, -(-found["total"] // PAGE_SIZE))
    return visit.render(
        "search.html",
        q=q,
        chosen=chosen,
        sort=sort,
        sorts=SORTS,
        found=found,
        search_id=search_id,
        page=page,
        pages=pages,
        url=lambda **changes: page_url(q, {**chosen, "sort": sort}, **changes),
        facets=_facet_links(q, {**chosen, "sort": sort}, found.get("facets") or {}),
        relaxed=RELAXED.get(found.get("relaxed") or ""),
    )


FACETS = (("brand", "Brand"), ("category", "Category"), ("price", "Price"), ("rating", "Rating"))


def _facet_links(
    q: str, chosen: dict[str, str], facets: dict[str, list[dict[str, Any]]]
) -> list[tuple[str, str, list[dict[str, Any]]]]:
    """Each facet's values with their counts and the page each leads to; a value already
    chosen leads back to the page without it."""
    shown = []
    for facet, heading in FACETS:
        options = []
        for option in facets.get(facet, [])[:10]:
            choice = facet_choice(facet, str(option["value"]))
            if choice is None:
                continue
            current = all(chosen.get(k, "") == v for k, v in choice.items())
            undo = {k: None for k in choice}
            href = page_url(q, chosen, **(undo if current else choice))
            label = facet_label(facet, str(option["value"]))
            options.append({**option, "label": label, "href": href, "current": current})
        if options:
            shown.append((facet, heading, options))
    return shown


async def _record_search(visit: Visit, found: dict[str, Any]) -> str:
    keys = ("product_id", "position", "score", "team")
    shown = [{k: row[k] for k in keys if row.get(k) is not None} for row in found["results"]]
    recorded = await visit.api.call(
        "POST",
        "/api/storefront/searches",
        json={
            "session_id": visit.session.session_id,
            "query": found["query"],
            "ranker": found["ranker"],
            "arm": found.get("arm"),
            "swapped_at": found.get("swapped_at"),
            "results": shown,
        },
    )
    return str(recorded["search_id"])


@router.get("/suggest")
async def suggest(visit: VisitDep, prefix: str = Query("", max_length=200)) -> Response:
    """The typeahead's completions (store.js); an empty list when serving is away."""
    found = await _optional(visit, "/api/search/suggest", prefix=prefix, limit=8)
    return JSONResponse({"suggestions": (found or {}).get("suggestions", [])})


async def _record_list(
    visit: Visit, surface: str, anchor_product_id: str | None, answer: dict[str, Any] | None
) -> str | None:
    """Records a recommendation list as shown; its id goes with the clicks and cart adds."""
    if not visit.counted or not answer or not answer.get("items"):
        return None
    items = [
        {"product_id": i["product_id"], "position": i["position"], "score": i.get("score") or 0.0}
        for i in answer["items"]
    ]
    recorded = await visit.api.call(
        "POST",
        "/api/storefront/recommendations",
        json={
            "session_id": visit.session.session_id,
            "surface": surface,
            "anchor_product_id": anchor_product_id,
            "recommender": answer["recommender"],
            "strategy": answer["strategy"],
            "arm": answer.get("arm"),
            "items": items,
        },
    )
    return str(recorded["recommendation_id"])


async def _record_click(
    visit: Visit, kind: str, list_id: str, product_id: str, position: int
) -> str | None:
    """The list id when the click is recorded; None for a stale or forged link (the page still
    shows, unattributed)."""
    try:
        await visit.api.call(
            "POST",
            f"/api/storefront/{kind}/{list_id}/clicks",
            json={
                "session_id": visit.session.session_id,
                "product_id": product_id,
                "position": position,
            },
        )
    except ApiError:
        return None
    return list_id


@router.get("/products/{product_id}")
async def product(
    product_id: str,
    visit: VisitDep,
    search_id: str | None = Query(None, max_length=40),
    recommendation_id: str | None = Query(None, max_length=40),
    position: int | None = Query(None, ge=1, le=100_000),
) -> Response:
    try:
        shown = await visit.api.call("GET", f"/api/products/{product_id}")
    except ApiError as error:
        if error.status != 404:
            raise
        return visit.render("missing.html", status=404, what="product")
    if not (visit.counted and position):
        search_id = recommendation_id = None
    if search_id and position:
        search_id = await _record_click(visit, "searches", search_id, product_id, position)
    elif recommendation_id and position:
        recommendation_id = await _record_click(
            visit, "recommendations", recommendation_id, product_id, position
        )
    similar = await _optional(
        visit, f"/api/recommendations/similar/{product_id}", k=4, customer_id=visit.customer_id
    )
    return visit.render(
        "product.html",
        product=shown,
        search_id=search_id,
        recommendation_id=None if search_id else recommendation_id,
        similar=(similar or {}).get("items", []),
        similar_id=await _record_list(visit, "similar", product_id, similar),
    )


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
