"""HTTP entrypoints for offers: anyone lists a product's offers, buy box first; a seller offers
an existing product and changes or withdraws only its own offers (403 `not_offer_seller`)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from transactional.catalog.offer_service import MAX_OFFERS_PAGE
from transactional.catalog.offers import DEFAULT_SHIPPING_DAYS, MAX_SHIPPING_DAYS
from transactional.gateway.identity import ActingUser, StoreDep
from transactional.gateway.serialize import to_json
from transactional.gateway.wire_types import WHOLE, Amount
from transactional.inventory.domain import MAX_RESTOCK

router = APIRouter(tags=["offers"])

OfferStock = Annotated[int, Field(ge=0, le=MAX_RESTOCK), WHOLE]
ShippingDays = Annotated[int, Field(ge=0, le=MAX_SHIPPING_DAYS), WHOLE]


class NewOffer(BaseModel):
    model_config = ConfigDict(extra="forbid")
    price: Amount
    stock: OfferStock = 0
    shipping_days: ShippingDays = DEFAULT_SHIPPING_DAYS


class OfferChanges(BaseModel):
    model_config = ConfigDict(extra="forbid")
    price: Amount | None = None
    stock: OfferStock | None = None  # the level on the shelf now, not units added
    shipping_days: ShippingDays | None = None


@router.get("/api/products/{product_id}/offers")
def product_offers(product_id: str, store: StoreDep) -> Any:
    """Live offers, the buy box first (`buy_box: true`), then as the buy-box rule ranks them."""
    return {"items": to_json(store.offers.offers_of_product(product_id))}


@router.post("/api/products/{product_id}/offers", status_code=201)
def create_offer(product_id: str, body: NewOffer, user: ActingUser, store: StoreDep) -> Any:
    """One offer per seller and product (409 `offer_exists`), in the product's currency."""
    offer = store.offers.create_offer(
        user.user_id, product_id, body.price, body.stock, body.shipping_days
    )
    return to_json(offer)


@router.get("/api/sellers/me/offers")
def my_offers(
    user: ActingUser,
    store: StoreDep,
    limit: Annotated[int, Query(ge=1, le=MAX_OFFERS_PAGE)] = MAX_OFFERS_PAGE,
) -> Any:
    return {"items": to_json(store.offers.offers_of_seller(user.user_id, limit))}


@router.patch("/api/offers/{offer_id}")
def change_offer(offer_id: str, body: OfferChanges, user: ActingUser, store: StoreDep) -> Any:
    # An explicit null is no change, as for products.
    changes = {k: v for k, v in body.model_dump(exclude_unset=True).items() if v is not None}
    return to_json(store.offers.change_offer(offer_id, user.seller_scope, **changes))


@router.delete("/api/offers/{offer_id}", status_code=204)
def delete_offer(offer_id: str, user: ActingUser, store: StoreDep) -> Response:
    store.offers.delete_offer(offer_id, user.seller_scope)
    return Response(status_code=204)


@router.get("/api/sellers/me/payouts")
def my_payouts(
    user: ActingUser,
    store: StoreDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Any:
    """What the store owes the seller per order: `sold`, `refunded` (their share), `owed`."""
    return {
        "items": [
            {**to_json(payout), "owed": to_json(payout.owed)}
            for payout in store.orders.payouts(user.user_id, limit)
        ]
    }
