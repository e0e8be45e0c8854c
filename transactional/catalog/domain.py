"""Products and the rules a listing must keep."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from numbers import Integral
from typing import Any

from transactional.common.clock import iso
from transactional.common.errors import Conflict, Forbidden, Invalid, NotFound
from transactional.common.money import money_text, to_money


class CatalogErrorCode(StrEnum):
    PRODUCT_NOT_FOUND = "product_not_found"
    PRODUCT_EXISTS = "product_exists"
    NOT_PRODUCT_OWNER = "not_product_owner"
    INVALID_PRODUCT = "invalid_product"
    CATEGORY_NOT_FOUND = "category_not_found"
    # Variants (catalog.variants): a family's option names and each variant's values.
    INVALID_OPTIONS = "invalid_options"
    VARIANT_EXISTS = "variant_exists"
    NOT_A_PARENT = "not_a_parent"
    PRODUCT_HAS_VARIANTS = "product_has_variants"
    PRODUCT_HAS_OPEN_ORDERS = "product_has_open_orders"


class ProductNotFound(NotFound):
    def __init__(self, product_id: str) -> None:
        super().__init__(
            CatalogErrorCode.PRODUCT_NOT_FOUND, f"no product {product_id!r}", "product_id"
        )


class CategoryNotFound(NotFound):
    def __init__(self, category_id: str) -> None:
        super().__init__(
            CatalogErrorCode.CATEGORY_NOT_FOUND, f"no category {category_id!r}", "category_id"
        )


class ProductHasOpenOrders(Conflict):
    def __init__(self, product_id: str, order_id: str) -> None:
        super().__init__(
            CatalogErrorCode.PRODUCT_HAS_OPEN_ORDERS,
            f"{product_id!r} is on order {order_id!r}, which is still under way: it can be "
            "delisted once its open orders are delivered or cancelled",
            "product_id",
        )


class ProductAlreadyExists(Conflict):
    def __init__(self, product_id: str, field: str = "product_id") -> None:
        super().__init__(CatalogErrorCode.PRODUCT_EXISTS, f"{product_id!r} exists", field)


class NotProductOwner(Forbidden):
    def __init__(self, product_id: str, seller_id: str) -> None:
        super().__init__(
            CatalogErrorCode.NOT_PRODUCT_OWNER, f"{seller_id!r} does not sell {product_id!r}"
        )


class InvalidProduct(Invalid):
    def __init__(self, message: str, field: str) -> None:
        super().__init__(CatalogErrorCode.INVALID_PRODUCT, message, field)


EDITABLE = frozenset(
    {
        "title",
        "description",
        "brand",
        "category",
        "price",
        "currency",
        "rating",
        "rating_count",
        "image_url",
    }
)


_KEPT = frozenset({"deleted", "review_count", "review_stars", "category_id"})
# In the payload only for a family's members: a standalone product's events stay as they were.
_FAMILY = ("parent_id", "options", "option_names")


@dataclass(frozen=True)
class Product:
    product_id: str
    seller_id: str
    title: str
    description: str
    brand: str
    category: str
    price: Decimal
    currency: str
    rating: float
    rating_count: int
    image_url: str
    created_at: datetime
    updated_at: datetime
    deleted: bool = False
    # Kept by the store, never typed by the seller: reviews rolled up, the category's tree node.
    review_count: int = 0
    review_stars: int = 0
    category_id: str | None = None
    # Variants (catalog.variants): a variant names its parent and its option values; a parent
    # (not buyable) its option names in order. A standalone product has neither.
    parent_id: str | None = None
    options: dict[str, str] | None = None
    option_names: tuple[str, ...] = ()

    @property
    def is_parent(self) -> bool:
        return bool(self.option_names)

    def ensure_owned_by(self, seller_id: str) -> None:
        if self.seller_id != seller_id:
            raise NotProductOwner(self.product_id, seller_id)

    def changed(self, changes: dict[str, Any], now: datetime) -> Product:
        unknown = set(changes) - EDITABLE
        if unknown:
            field = sorted(unknown)[0]
            raise InvalidProduct(f"{field!r} cannot be changed", field)
        return checked(replace(self, **changes, updated_at=now))

    @property
    def shown_rating(self) -> tuple[float, int]:
        """The rating shoppers see and search ranks by, and how many it stands for: the
        customers' reviews once there is one, else the figures the listing came with."""
        if self.review_count:
            return round(self.review_stars / self.review_count, 2), self.review_count
        return self.rating, self.rating_count

    def snapshot(self) -> dict[str, Any]:
        """The ProductCreated / ProductUpdated payload (keys fixed by events.py)."""
        skipped = _KEPT | set(_FAMILY)
        payload = {f.name: getattr(self, f.name) for f in fields(self) if f.name not in skipped}
        if self.parent_id is not None:
            payload.update(parent_id=self.parent_id, options=dict(self.options or {}))
        if self.is_parent:
            payload.update(option_names=list(self.option_names))
        rating, rating_count = self.shown_rating
        payload.update(
            rating=rating,
            rating_count=rating_count,
            price=money_text(self.price),
            created_at=iso(self.created_at),
            updated_at=iso(self.updated_at),
        )
        return payload


def checked(product: Product) -> Product:
    """Returns the product with normalised values, or raises InvalidProduct naming the field."""
    title = str(product.title).strip()
    if not title:
        raise InvalidProduct("title must not be empty", "title")
    try:
        price = to_money(product.price)
    except (InvalidOperation, ValueError, TypeError):
        raise InvalidProduct(f"not a price: {product.price!r}", "price") from None
    if price < 0:
        raise InvalidProduct("price must not be negative", "price")
    currency = str(product.currency).strip().upper()
    if len(currency) != 3 or not currency.isalpha():
        raise InvalidProduct("currency must be a 3-letter ISO code", "currency")
    try:
        rating = float(product.rating)
    except (TypeError, ValueError):
        raise InvalidProduct("rating must be a number", "rating") from None
    if not 0.0 <= rating <= 5.0:
        raise InvalidProduct("rating must be between 0 and 5", "rating")
    count = product.rating_count
    # Integral, not int: callers such as the simulator pass numpy integers.
    if isinstance(count, bool) or not isinstance(count, Integral) or count < 0:
        raise InvalidProduct("rating_count must be a whole number >= 0", "rating_count")
    return replace(
        product,
        title=title,
        price=price,
        currency=currency,
        rating=rating,
        rating_count=int(count),
        description=str(product.description or ""),
        brand=str(product.brand or ""),
        category=str(product.category or ""),
        image_url=str(product.image_url or ""),
    )
