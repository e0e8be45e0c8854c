"""HTTP entrypoints for carts: a logged-in customer's cart, or a guest's, named by the cart id
the first add returns (header `X-Cart-Id` or cookie `cart_id`)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Cookie, Header, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from transactional.cart.domain import GUEST_CART_ID, GUEST_CART_TTL_S, MAX_LINE_QUANTITY
from transactional.cart.schemas import cart_body
from transactional.cart.views import CartView
from transactional.common.errors import Unauthenticated
from transactional.gateway.identity import (
    GUESTS_WELCOME,
    IdentityErrorCode,
    StoreDep,
    UserOrGuest,
)
from transactional.gateway.serialize import to_json
from transactional.gateway.wire_types import WHOLE

router = APIRouter(prefix="/api/cart", tags=["cart"])

CART_HEADER = "X-Cart-Id"
CART_COOKIE = "cart_id"

GuestCartHeader = Annotated[
    str | None,
    Header(alias=CART_HEADER, pattern=GUEST_CART_ID.pattern, description="a guest cart's id"),
]
# A stale or mangled cookie is ignored rather than refused: the shopper never typed it.
GuestCartCookie = Annotated[str | None, Cookie(alias=CART_COOKIE, include_in_schema=False)]


class NewCartItem(BaseModel):
    model_config = ConfigDict(extra="forbid")
    product_id: str = Field(min_length=1, max_length=32)
    quantity: Annotated[int, Field(gt=0, le=MAX_LINE_QUANTITY), WHOLE] = 1
    search_id: str | None = Field(default=None, max_length=40)
    recommendation_id: str | None = Field(default=None, max_length=40)
    # One seller's offer of the product; absent: the buy box at checkout.
    offer_id: str | None = Field(default=None, min_length=1, max_length=40)


def guest_cart_id(header: str | None, cookie: str | None) -> str | None:
    if header is not None:
        return header
    return cookie if cookie and GUEST_CART_ID.match(cookie) else None


@router.post("/items", status_code=201, responses=cart_body(201), openapi_extra=GUESTS_WELCOME)
def add_item(
    body: NewCartItem,
    request: Request,
    user: UserOrGuest,
    store: StoreDep,
    header: GuestCartHeader = None,
    cookie: GuestCartCookie = None,
) -> Any:
    if user is not None:
        view = store.cart.add_item_and_view(
            user.user_id,
            body.product_id,
            body.quantity,
            body.search_id,
            body.recommendation_id,
            body.offer_id,
        )
        return JSONResponse(_body(view), status_code=201)
    view = store.cart.add_guest_item(
        guest_cart_id(header, cookie),
        body.product_id,
        body.quantity,
        body.search_id,
        body.recommendation_id,
        body.offer_id,
    )
    return _guest_answer(view, 201, request)


@router.get("", responses=cart_body(200), openapi_extra=GUESTS_WELCOME)
def view_cart(
    request: Request,
    user: UserOrGuest,
    store: StoreDep,
    header: GuestCartHeader = None,
    cookie: GuestCartCookie = None,
) -> Any:
    """The cart at today's prices and stock; `changes` says what moved since each item was
    added (machine-readable codes), `ready` whether checkout would go through as it is."""
    if user is not None:
        return JSONResponse(_body(store.cart.view(user.user_id)))
    cart_id = guest_cart_id(header, cookie)
    if cart_id is None:
        raise _no_shopper()
    return _guest_answer(store.cart.view_guest(cart_id), 200, request)


@router.delete("/items/{product_id}", status_code=204, openapi_extra=GUESTS_WELCOME)
def remove_item(
    product_id: str,
    user: UserOrGuest,
    store: StoreDep,
    header: GuestCartHeader = None,
    cookie: GuestCartCookie = None,
) -> Response:
    cart_id = guest_cart_id(header, cookie)
    if user is not None:
        store.cart.remove_item(user.user_id, product_id)
    elif cart_id is not None:
        store.cart.remove_guest_item(cart_id, product_id)
    else:
        raise _no_shopper()
    return Response(status_code=204)


def _no_shopper() -> Unauthenticated:
    return Unauthenticated(
        IdentityErrorCode.UNAUTHENTICATED,
        f"Authorization: Bearer <token> or {CART_HEADER} needed",
        "Authorization",
    )


def _body(view: CartView) -> dict[str, Any]:
    return {**to_json(view), "ready": view.ready}


def _guest_answer(view: CartView, status: int, request: Request) -> JSONResponse:
    answer = JSONResponse(_body(view), status_code=status)
    assert view.cart_id is not None
    answer.headers[CART_HEADER] = view.cart_id
    answer.set_cookie(
        CART_COOKIE,
        view.cart_id,
        max_age=GUEST_CART_TTL_S,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",  # over TLS, never sent in the clear after
    )
    return answer
