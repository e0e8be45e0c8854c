"""HTTP entrypoints for the catalog: sellers list and change products, anyone reads them."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from transactional.catalog.offers import DEFAULT_SHIPPING_DAYS, MAX_SHIPPING_DAYS
from transactional.catalog.service import MAX_PAGE
from transactional.catalog.variants import (
    MAX_OPTION_NAME,
    MAX_OPTION_VALUE,
    MAX_OPTIONS,
    MAX_VARIANTS,
)
from transactional.common.text import NOT_BLANK
from transactional.gateway.identity import ActingUser, StoreDep
from transactional.gateway.serialize import to_json
from transactional.gateway.wire_types import NUMBER, WHOLE, Amount
from transactional.inventory.domain import MAX_RESTOCK

router = APIRouter(prefix="/api/products", tags=["catalog"])

MAX_RATING_COUNT = 1_000_000_000
# Routes with rules between fields that a schema cannot state (their 422s are tested in
# test_tx_variants.py): a family's variants name exactly its option names, a family has variants
# and no stock of its own, a standalone product has a price; schema-valid is not always valid.
CROSS_FIELD_RULES = ("/api/products", "/api/products/{product_id}/variants")

Currency = Annotated[str, Field(pattern=r"^[A-Za-z]{3}$")]
Rating = Annotated[float, Field(ge=0, le=5), NUMBER]
RatingCount = Annotated[int, Field(ge=0, le=MAX_RATING_COUNT), WHOLE]
InitialStock = Annotated[int, Field(ge=0, le=MAX_RESTOCK), WHOLE]
ShippingDays = Annotated[int, Field(ge=0, le=MAX_SHIPPING_DAYS), WHOLE]
ProductId = Annotated[str, Field(pattern=r"^p-[0-9A-Za-z_-]{1,30}$")]
OptionText = Annotated[str, Field(min_length=1, max_length=MAX_OPTION_VALUE, pattern=NOT_BLANK)]
OptionName = Annotated[str, Field(min_length=1, max_length=MAX_OPTION_NAME, pattern=NOT_BLANK)]


class NewVariant(BaseModel):
    """One variant (catalog.variants): its values of the parent's options, price and stock."""

    model_config = ConfigDict(extra="forbid")
    options: dict[str, OptionText] = Field(max_length=MAX_OPTIONS)
    price: Amount
    stock: InitialStock = 0
    shipping_days: ShippingDays = DEFAULT_SHIPPING_DAYS
    product_id: ProductId | None = None
    title: str | None = Field(default=None, min_length=1, max_length=500, pattern=NOT_BLANK)
    image_url: str | None = None


class NewProduct(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str = Field(min_length=1, max_length=500, pattern=NOT_BLANK)
    description: str = ""
    brand: str = ""
    category: str = ""
    # Required, except of a product with variants (then its cheapest variant's by default).
    price: Amount | None = None
    currency: Currency = "USD"
    rating: Rating = 0.0
    rating_count: RatingCount = 0
    image_url: str = ""
    initial_stock: InitialStock = 0
    product_id: ProductId | None = None
    # Of the lister's own offer; other sellers' offers come through /api/products/{id}/offers.
    shipping_days: ShippingDays = DEFAULT_SHIPPING_DAYS
    # A product with variants: its option names in order, and its variants (at least one).
    options: list[OptionName] | None = Field(default=None, min_length=1, max_length=MAX_OPTIONS)
    variants: list[NewVariant] | None = Field(default=None, min_length=1, max_length=MAX_VARIANTS)


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
    fields = body.model_dump(exclude={"variants"})
    variants = [v.model_dump(exclude_unset=True) for v in body.variants or []]
    product_id = store.catalog.create_product(user.user_id, **fields, variants=variants or None)
    return to_json(store.catalog.get_product(product_id))


@router.post("/{product_id}/variants", status_code=201)
def add_variant(product_id: str, body: NewVariant, user: ActingUser, store: StoreDep) -> Any:
    """A new variant of the seller's product with variants (409 `not_a_parent` otherwise)."""
    variant_id = store.catalog.add_variant(
        user.user_id, product_id, **body.model_dump(exclude_unset=True)
    )
    return to_json(store.catalog.get_product(variant_id))


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
