"""HTTP entrypoints for the catalog: sellers list and change products, anyone reads them."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from transactional.catalog.offers import DEFAULT_SHIPPING_DAYS, MAX_SHIPPING_DAYS
from transactional.catalog.service import MAX_PAGE
from transactional.common.text import NOT_BLANK
from transactional.gateway.identity import ActingUser, StoreDep
from transactional.gateway.serialize import to_json
from transactional.gateway.wire_types import NUMBER, WHOLE, Amount
from transactional.inventory.domain import MAX_RESTOCK

router = APIRouter(prefix="/api/products", tags=["catalog"])

MAX_RATING_COUNT = 1_000_000_000

Currency = Annotated[str, Field(pattern=r"^[A-Za-z]{3}$")]
Rating = Annotated[float, Field(ge=0, le=5), NUMBER]
RatingCount = Annotated[int, Field(ge=0, le=MAX_RATING_COUNT), WHOLE]
InitialStock = Annotated[int, Field(ge=0, le=MAX_RESTOCK), WHOLE]


class NewProduct(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str = Field(min_length=1, max_length=500, pattern=NOT_BLANK)
    description: str = ""
    brand: str = ""
    category: str = ""
    price: Amount
    currency: Currency = "USD"
    rating: Rating = 0.0
    rating_count: RatingCount = 0
    image_url: str = ""
    initial_stock: InitialStock = 0
    product_id: str | None = Field(default=None, pattern=r"^p-[0-9A-Za-z_-]{1,30}$")
    # Of the lister's own offer; other sellers' offers come through /api/products/{id}/offers.
    shipping_days: Annotated[int, Field(ge=0, le=MAX_SHIPPING_DAYS), WHOLE] = DEFAULT_SHIPPING_DAYS


class ProductChanges(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str | None = Field(default=None, min_length=1, max_length=500, pattern=NOT_BLANK)
    description: str | None = None
    brand: str | None = None
    category: str | None = None
    price: Amount | None = None
    currency: Currency | None = None
    rating: Rating | None = None
    rating_count: RatingCount | None = None
    image_url: str | None = None


@router.post("", status_code=201)
def create_product(body: NewProduct, user: ActingUser, store: StoreDep) -> Any:
    product_id = store.catalog.create_product(user.user_id, **body.model_dump())
    return to_json(store.catalog.get_product(product_id))


@router.get("")
def list_products(
    store: StoreDep,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
) -> Any:
    return to_json(store.catalog.list_products(cursor, limit))


@router.get("/{product_id}")
def get_product(product_id: str, store: StoreDep) -> Any:
    return to_json(store.catalog.get_product(product_id))


@router.patch("/{product_id}")
def update_product(product_id: str, body: ProductChanges, user: ActingUser, store: StoreDep) -> Any:
    # Only fields the client sent; an explicit null for a required value is not a change.
    changes = {k: v for k, v in body.model_dump(exclude_unset=True).items() if v is not None}
    return to_json(store.catalog.update_product(product_id, user.seller_scope, **changes))


@router.delete("/{product_id}", status_code=204)
def delete_product(product_id: str, user: ActingUser, store: StoreDep) -> Response:
    store.catalog.delete_product(product_id, user.seller_scope)
    return Response(status_code=204)
