"""Offers: several sellers sell one product, each at its own price, stock and shipping time; the
buy box is the one offer a shopper gets unless they pick another.

The buy-box rule, first difference wins: an offer in stock before one without; the lower landed
price (the price: this store charges no shipping, so nothing is added); the shorter shipping time;
the higher seller rating; the lower offer id (so two equal offers never swap)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from numbers import Integral

from transactional.common.clock import iso
from transactional.common.errors import Conflict, Forbidden, Invalid, NotFound
from transactional.common.money import money_text, to_money

# A lister's own offer of its product has this id, so the product names it without a read.
HOME_PREFIX = "of-"
DEFAULT_SHIPPING_DAYS = 3
MAX_SHIPPING_DAYS = 60


class OfferErrorCode(StrEnum):
    OFFER_NOT_FOUND = "offer_not_found"
    OFFER_EXISTS = "offer_exists"
    NOT_OFFER_SELLER = "not_offer_seller"
    INVALID_OFFER = "invalid_offer"
    OFFER_UNAVAILABLE = "offer_unavailable"


class OfferNotFound(NotFound):
    def __init__(self, offer_id: str) -> None:
        super().__init__(OfferErrorCode.OFFER_NOT_FOUND, f"no offer {offer_id!r}", "offer_id")


class OfferExists(Conflict):
    def __init__(self, product_id: str, seller_id: str) -> None:
        super().__init__(
            OfferErrorCode.OFFER_EXISTS,
            f"{seller_id!r} already offers {product_id!r}; change that offer instead",
            "product_id",
        )


class NotOfferSeller(Forbidden):
    def __init__(self, offer_id: str, seller_id: str) -> None:
        super().__init__(
            OfferErrorCode.NOT_OFFER_SELLER,
            f"{seller_id!r} does not make offer {offer_id!r}",
            "offer_id",
        )


class InvalidOffer(Invalid):
    def __init__(self, message: str, field: str) -> None:
        super().__init__(OfferErrorCode.INVALID_OFFER, message, field)


class OfferUnavailable(Conflict):
    """A cart line names an offer that was withdrawn since, or one of another product."""

    def __init__(self, offer_id: str) -> None:
        super().__init__(
            OfferErrorCode.OFFER_UNAVAILABLE, f"offer {offer_id!r} is not on sale", "offer_id"
        )


def home_offer_id(product_id: str) -> str:
    return HOME_PREFIX + product_id


@dataclass(frozen=True)
class SellerRating:
    """The stars buyers gave, in their reviews, to products they bought from this seller."""

    stars: float = 0.0
    count: int = 0


@dataclass(frozen=True)
class Offer:
    offer_id: str
    product_id: str
    seller_id: str
    price: Decimal
    currency: str
    stock: int
    shipping_days: int
    created_at: datetime
    updated_at: datetime
    deleted: bool = False

    @property
    def in_stock(self) -> bool:
        return self.stock > 0

    @property
    def landed_price(self) -> Decimal:
        # No shipping fees in this store yet: the day one exists, it is added here.
        return self.price

    def ensure_made_by(self, seller_id: str) -> None:
        if self.seller_id != seller_id:
            raise NotOfferSeller(self.offer_id, seller_id)

    def snapshot(self) -> dict[str, object]:
        """The OfferCreated / OfferChanged payload (keys fixed by events.py)."""
        return {
            "offer_id": self.offer_id,
            "product_id": self.product_id,
            "seller_id": self.seller_id,
            "price": money_text(self.price),
            "currency": self.currency,
            "stock": self.stock,
            "shipping_days": self.shipping_days,
            "created_at": iso(self.created_at),
            "updated_at": iso(self.updated_at),
        }


def buy_box_order(
    offers: list[Offer], ratings: dict[str, SellerRating] | None = None
) -> list[Offer]:
    """Live offers, the buy box first (the rule in this module's docstring)."""
    ratings = ratings or {}

    def rank(offer: Offer) -> tuple[bool, Decimal, int, float, str]:
        rating = ratings.get(offer.seller_id, SellerRating())
        return (not offer.in_stock, offer.landed_price, offer.shipping_days, -rating.stars,
                offer.offer_id)  # fmt: skip

    return sorted((o for o in offers if not o.deleted), key=rank)


def buy_box(offers: list[Offer], ratings: dict[str, SellerRating] | None = None) -> Offer | None:
    ranked = buy_box_order(offers, ratings)
    return ranked[0] if ranked else None


def chosen_offer(offer_id: str | None, live: list[Offer], box: Offer | None) -> Offer | None:
    """The offer a cart line buys from: the one it names while that is on sale (None once it is
    withdrawn), else the buy box."""
    if offer_id is None:
        return box
    return next((o for o in live if o.offer_id == offer_id), None)


def checked_price(value: object) -> Decimal:
    try:
        price = to_money(value)  # type: ignore[arg-type]
    except (InvalidOperation, ValueError, TypeError):
        raise InvalidOffer(f"not a price: {value!r}", "price") from None
    if price < 0:
        raise InvalidOffer("price must not be negative", "price")
    return price


def checked_shipping_days(value: object) -> int:
    if not _whole_within(value, MAX_SHIPPING_DAYS):
        raise InvalidOffer(
            f"shipping_days must be a whole number from 0 to {MAX_SHIPPING_DAYS}", "shipping_days"
        )
    return int(value)  # type: ignore[call-overload]


def checked_stock(value: object, maximum: int) -> int:
    if not _whole_within(value, maximum):
        raise InvalidOffer(f"stock must be a whole number from 0 to {maximum}", "stock")
    return int(value)  # type: ignore[call-overload]


def _whole_within(value: object, maximum: int) -> bool:
    # Integral, not int: callers such as the simulator pass numpy integers; bool is no count.
    return (
        not isinstance(value, bool) and isinstance(value, Integral) and 0 <= int(value) <= maximum
    )
