"""Read side of the catalog: products as shoppers see them, with their stock, keyset-paginated.

`rating` and `rating_count` are the customers' reviews once a product has one, else the figures
the listing came with (`rating_source` says which). `price` and `stock` are the buy box's
(catalog.offers), `other_offers` how many live offers besides it; with one offer, the listing's.
A parent of variants (catalog.variants) shows its family: `variants`, each with its options, price
and stock; its own `price` is its cheapest variant in stock (else cheapest), `stock` their sum.
A variant shows the same family, and its own `options` say which one it is."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, select

from transactional.catalog.domain import Product
from transactional.catalog.offer_repository import OfferRepository
from transactional.catalog.offers import Offer, buy_box
from transactional.catalog.repository import product_from_row, products
from transactional.common.money import money_text
from transactional.common.uow import Transaction
from transactional.inventory.repository import stock


@dataclass(frozen=True)
class VariantView:
    """One variant of a family, as its parent's and its siblings' pages list it."""

    product_id: str
    options: dict[str, str]
    price: Decimal
    currency: str
    stock: int
    in_stock: bool
    offer_id: str | None


@dataclass(frozen=True)
class ProductView:
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
    stock: int
    created_at: datetime
    updated_at: datetime
    category_id: str | None
    rating_source: str  # "reviews" or "listing"
    # The buy box: the offer a cart line gets unless it names another (None: no live offer).
    offer_id: str | None = None
    offer_seller_id: str | None = None
    shipping_days: int | None = None
    other_offers: int = 0
    # Variants: a variant's parent and values; a parent's option names; the family's live
    # variants on both (None: a standalone product, or a variant in a list of products).
    parent_id: str | None = None
    options: dict[str, str] | None = None
    option_names: list[str] | None = None
    variants: list[VariantView] | None = None

    @property
    def in_stock(self) -> bool:
        return self.stock > 0


@dataclass(frozen=True)
class ProductPage:
    items: list[ProductView]
    next_cursor: str | None  # the last product_id of this page; None on the last page


def _listing():  # type: ignore[no-untyped-def]
    return (
        select(products, stock.c.quantity.label("stock"))
        .select_from(products.outerjoin(stock, stock.c.product_id == products.c.product_id))
        .where(products.c.deleted_at.is_(None))
    )


def _view(row: Any, offers: list[Offer], box: Offer | None) -> ProductView:
    p = product_from_row(row)
    rating, rating_count = p.shown_rating
    return ProductView(
        p.product_id,
        p.seller_id,
        p.title,
        p.description,
        p.brand,
        p.category,
        box.price if box else p.price,
        box.currency if box else p.currency,
        rating,
        rating_count,
        p.image_url,
        box.stock if box else 0,
        p.created_at,
        p.updated_at,
        p.category_id,
        "reviews" if p.review_count else "listing",
        box.offer_id if box else None,
        box.seller_id if box else None,
        box.shipping_days if box else None,
        max(0, len(offers) - 1),
        p.parent_id,
        p.options,
        list(p.option_names) or None,
    )


def buy_boxes(connection: Connection, offers: dict[str, list[Offer]]) -> dict[str, Offer | None]:
    """Each product's buy box; seller ratings are read only where several offers compete."""
    contested = {o.seller_id for found in offers.values() if len(found) > 1 for o in found}
    ratings = OfferRepository(connection).seller_ratings(contested) if contested else {}
    return {product_id: buy_box(found, ratings) for product_id, found in offers.items()}


def _views(connection: Connection, rows: Sequence[Any]) -> list[ProductView]:
    offers = OfferRepository(connection).live_of_products(row.product_id for row in rows)
    boxes = buy_boxes(connection, offers)
    views = [_view(row, offers.get(row.product_id, []), boxes.get(row.product_id)) for row in rows]
    parents = [view.product_id for view in views if view.option_names]
    if not parents:
        return views
    families = _families(connection, parents)
    return [_with_family(view, families.get(view.product_id, [])) for view in views]


def _families(connection: Connection, parent_ids: list[str]) -> dict[str, list[VariantView]]:
    query = _listing().where(products.c.parent_id.in_(parent_ids)).order_by(products.c.product_id)
    families: dict[str, list[VariantView]] = {}
    for view in _views(connection, connection.execute(query).all()):
        shown = VariantView(
            view.product_id, view.options or {}, view.price, view.currency, view.stock,
            view.in_stock, view.offer_id,
        )  # fmt: skip
        families.setdefault(view.parent_id or "", []).append(shown)
    return families


def _with_family(view: ProductView, variants: list[VariantView]) -> ProductView:
    if not view.option_names:
        return view
    on_sale = [v for v in variants if v.in_stock] or variants
    cheapest = min(on_sale, key=lambda v: (v.price, v.product_id), default=None)
    return replace(
        view,
        price=cheapest.price if cheapest else view.price,
        currency=cheapest.currency if cheapest else view.currency,
        stock=sum(v.stock for v in variants),
        variants=variants,
    )


def product_view(connection: Connection, product_id: str) -> ProductView | None:
    row = connection.execute(_listing().where(products.c.product_id == product_id)).first()
    if row is None:
        return None
    view = _views(connection, [row])[0]
    if view.parent_id is None:
        return view
    parent = connection.execute(_listing().where(products.c.product_id == view.parent_id)).first()
    family = _views(connection, [parent])[0] if parent else None
    return replace(view, option_names=family.option_names if family else None,
                   variants=family.variants if family else None)  # fmt: skip


def shown_snapshot(tx: Transaction, product: Product) -> dict[str, Any]:
    """The ProductCreated / ProductUpdated payload: the listing, at its buy box's price where
    other sellers' offers compete, so search shows what a shopper would pay."""
    snapshot = product.snapshot()
    offers = OfferRepository(tx.connection).live_of_products([product.product_id])
    box = buy_boxes(tx.connection, offers).get(product.product_id)
    if box is not None:
        snapshot.update(price=money_text(box.price), currency=box.currency)
    return snapshot


def product_page(
    connection: Connection, cursor: str | None, limit: int, under: Any = None
) -> ProductPage:
    """`under`: only products filed in those category ids (a subquery of a subtree)."""
    query = _listing().order_by(products.c.product_id).limit(limit + 1)
    if under is not None:
        query = query.where(products.c.category_id.in_(under))
    if cursor:
        query = query.where(products.c.product_id > cursor)
    rows = connection.execute(query).all()
    items = _views(connection, rows[:limit])
    more = len(rows) > limit
    return ProductPage(items, items[-1].product_id if more and items else None)
