"""The pages a shopper browses: home, search with its facets, product; each list they show is
reported (storefront.impressions), except to crawlers."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query
from fastapi.responses import Response

from storefront.gateway_client import ApiError
from storefront.impressions import record_click, record_list, record_search
from storefront.search_terms import (
    PAGE_SIZE,
    RELAXED,
    SORTS,
    facet_choice,
    facet_label,
    page_url,
    query_text,
)
from storefront.visits import Visit, VisitDep

router = APIRouter()

SEARCH_AWAY = "Search is not available right now. Please try again in a minute."


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
    recent = [await _optional(visit, f"/api/products/{p}") for p in visit.session.viewed]
    return visit.render(
        "home.html",
        recent=[product for product in recent if product],
        feed=(feed or {}).get("items", []),
        feed_id=await record_list(visit, "feed", None, feed),
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
        search_id = await record_search(visit, found)
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


@router.get("/suggest")
async def suggest(visit: VisitDep, prefix: str = Query("", max_length=200)) -> Response:
    """The typeahead's completions (store.js); an empty list when serving is away."""
    found = await _optional(visit, "/api/search/suggest", prefix=prefix, limit=8)
    return visit.data({"suggestions": (found or {}).get("suggestions", [])})


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
    visit.session.saw(product_id)
    if not (visit.counted and position):
        search_id = recommendation_id = None
    if search_id and position:
        search_id = await record_click(visit, "searches", search_id, product_id, position)
    elif recommendation_id and position:
        recommendation_id = await record_click(
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
        similar_id=await record_list(visit, "similar", product_id, similar),
    )
