"""HTTP entrypoints for what a storefront showed and what was clicked: a web or mobile client
reports the search results and recommendation lists it displayed (with their positions and the
model that ordered them) and the item a shopper opened. Guests report too; a token names the
shopper."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field

from transactional.gateway.identity import GUESTS_WELCOME, StoreDep, UserOrGuest
from transactional.gateway.wire_types import NUMBER, WHOLE
from transactional.storefront.domain import MAX_ID, MAX_NAME, MAX_PATH

router = APIRouter(prefix="/api/storefront", tags=["storefront"])
# Rules between fields that JSON Schema cannot state, refused with 422 by the domain: positions
# are distinct, a swap names a position with a result after it, a "similar" list names its
# product, a click names a position its recommendation list showed, a product page names its
# product and no other page does.
CROSS_FIELD_RULES = (
    "/api/storefront/page-views",
    "/api/storefront/searches",
    "/api/storefront/recommendations",
    "/api/storefront/recommendations/{recommendation_id}/clicks",
)

MAX_SHOWN = 100  # serving's largest page
Position = Annotated[int, Field(ge=1, le=100_000), WHOLE]
SessionId = Annotated[str, Field(min_length=1, max_length=MAX_NAME, pattern=r"^[0-9A-Za-z_-]+$")]


class ShownItem(BaseModel):
    model_config = ConfigDict(extra="forbid")
    product_id: str = Field(min_length=1, max_length=MAX_ID)
    position: Position
    score: Annotated[float, Field(ge=-1e12, le=1e12), NUMBER]


class ShownResult(ShownItem):
    # In an interleaved search: the ranker version that placed the result.
    team: str | None = Field(default=None, min_length=1, max_length=MAX_NAME)


class ShownSearch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    session_id: SessionId
    query: str = Field(max_length=500)
    ranker: str = Field(min_length=1, max_length=MAX_NAME)
    arm: Literal["control", "models"] | None = None
    swapped_at: Position | None = None
    results: list[ShownResult] = Field(max_length=MAX_SHOWN)


class ShownRecommendations(BaseModel):
    model_config = ConfigDict(extra="forbid")
    session_id: SessionId
    surface: Literal["feed", "similar"]
    anchor_product_id: str | None = Field(default=None, min_length=1, max_length=MAX_ID)
    recommender: str = Field(min_length=1, max_length=MAX_NAME)
    strategy: str = Field(min_length=1, max_length=MAX_NAME)
    arm: Literal["control", "models"] | None = None
    items: list[ShownItem] = Field(max_length=MAX_SHOWN)


class ResultClick(BaseModel):
    model_config = ConfigDict(extra="forbid")
    session_id: SessionId
    product_id: str = Field(min_length=1, max_length=MAX_ID)
    position: Position


# contracts.events.PAGE_KINDS, spelled out for the API's schema (a test holds them equal).
PageKind = Literal["home", "search", "product", "cart", "orders", "sign_in", "sign_up", "seller"]


class ViewedPage(BaseModel):
    model_config = ConfigDict(extra="forbid")
    session_id: SessionId
    page: PageKind
    path: str = Field(min_length=1, max_length=MAX_PATH, pattern=r"^/")
    product_id: str | None = Field(default=None, min_length=1, max_length=MAX_ID)
    referrer_page: PageKind | None = None


@router.post("/page-views", status_code=201, openapi_extra=GUESTS_WELCOME)
def record_page_view(body: ViewedPage, user: UserOrGuest, store: StoreDep) -> Any:
    """A page of a web storefront as a shopper loaded it (not a crawler's or a probe's)."""
    page_view_id = store.storefront.record_page_view(
        body.session_id,
        user.user_id if user else None,
        body.page,
        body.path,
        body.product_id,
        body.referrer_page,
    )
    return {"page_view_id": page_view_id}


@router.post("/searches", status_code=201, openapi_extra=GUESTS_WELCOME)
def record_search(body: ShownSearch, user: UserOrGuest, store: StoreDep) -> Any:
    """One search results page as shown; its id goes with the clicks and cart adds it led to."""
    search_id = store.storefront.record_search(
        body.session_id,
        user.user_id if user else None,
        body.query,
        [result.model_dump(exclude_none=True) for result in body.results],
        body.ranker,
        body.arm,
        body.swapped_at,
    )
    return {"search_id": search_id}


@router.post("/searches/{search_id}/clicks", status_code=204, openapi_extra=GUESTS_WELCOME)
def record_click(search_id: str, body: ResultClick, user: UserOrGuest, store: StoreDep) -> Response:
    store.storefront.record_click(
        search_id, body.session_id, user.user_id if user else None, body.product_id, body.position
    )
    return Response(status_code=204)


@router.post("/recommendations", status_code=201, openapi_extra=GUESTS_WELCOME)
def record_recommendations(body: ShownRecommendations, user: UserOrGuest, store: StoreDep) -> Any:
    """A recommendation list as shown: a shopper's feed, or a product page's similar items."""
    recommendation_id = store.storefront.record_recommendations(
        body.session_id,
        user.user_id if user else None,
        body.surface,
        body.anchor_product_id,
        body.recommender,
        body.strategy,
        [item.model_dump(exclude_none=True) for item in body.items],
        body.arm,
    )
    return {"recommendation_id": recommendation_id}


@router.post(
    "/recommendations/{recommendation_id}/clicks", status_code=204, openapi_extra=GUESTS_WELCOME
)
def record_recommendation_click(
    recommendation_id: str, body: ResultClick, user: UserOrGuest, store: StoreDep
) -> Response:
    store.storefront.record_recommendation_click(
        recommendation_id,
        body.session_id,
        user.user_id if user else None,
        body.product_id,
        body.position,
    )
    return Response(status_code=204)
