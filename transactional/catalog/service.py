"""Catalog handlers: sellers list, change and delist products; anyone reads them."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

from contracts import events
from transactional.catalog.categories import place_in_tree
from transactional.catalog.domain import (
    InvalidProduct,
    Product,
    ProductAlreadyExists,
    ProductNotFound,
    checked,
)
from transactional.catalog.offer_repository import OfferRepository
from transactional.catalog.offers import (
    DEFAULT_SHIPPING_DAYS,
    Offer,
    checked_shipping_days,
    home_offer_id,
)
from transactional.catalog.repository import ProductRepository
from transactional.catalog.views import (
    ProductPage,
    ProductView,
    product_page,
    product_view,
    shown_snapshot,
)
from transactional.common.ids import numbered_id, reserve_numbered_id
from transactional.common.uow import Transaction, UnitOfWork
from transactional.inventory.domain import StockChange, StockReason, ensure_positive_quantity
from transactional.inventory.repository import StockRepository
from transactional.users.domain import UserNotFound
from transactional.users.repository import UserRepository

MAX_PAGE = 500


class CatalogService:
    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow

    def create_product(
        self,
        seller_id: str,
        title: str,
        description: str,
        brand: str,
        category: str,
        price: Decimal,
        currency: str = "USD",
        rating: float = 0.0,
        rating_count: int = 0,
        image_url: str = "",
        initial_stock: int = 0,
        product_id: str | None = None,
        shipping_days: int = DEFAULT_SHIPPING_DAYS,
    ) -> str:
        """The product and its lister's offer (`of-<product_id>`) with the price and stock."""
        if initial_stock != 0:
            initial_stock = ensure_positive_quantity(initial_stock, "initial_stock")
        shipping_days = checked_shipping_days(shipping_days)
        with self.uow.begin() as tx:
            _seller(tx, seller_id).ensure_seller()
            repo = ProductRepository(tx.connection)
            if product_id is None:
                product_id = numbered_id(tx.connection, "product")
            elif repo.exists(product_id):
                raise ProductAlreadyExists(product_id)
            else:
                reserve_numbered_id(tx.connection, "product", product_id)
            product = checked(
                Product(
                    product_id,
                    seller_id,
                    title,
                    description,
                    brand,
                    category,
                    price,
                    currency,
                    rating,
                    rating_count,
                    image_url,
                    tx.now,
                    tx.now,
                )
            )
            product = replace(product, category_id=place_in_tree(tx.connection, product.category))
            repo.add(product)
            offer = Offer(
                home_offer_id(product_id), product_id, seller_id, product.price,
                product.currency, initial_stock, shipping_days, tx.now, tx.now,
            )  # fmt: skip
            OfferRepository(tx.connection).add(offer)
            StockRepository(tx.connection).create(product_id, initial_stock)
            tx.record(events.PRODUCT_CREATED, product_id, product.snapshot())
            if initial_stock:
                change = StockChange(
                    product_id, initial_stock, initial_stock, StockReason.RESTOCK,
                    offer.offer_id, initial_stock,
                )  # fmt: skip
                tx.record(events.STOCK_CHANGED, product_id, change.payload())
        return product_id

    def update_product(self, product_id: str, seller_id: str | None, **changes: Any) -> ProductView:
        """`seller_id`: only that seller's product; None: any (an admin's moderation)."""
        with self.uow.begin() as tx:
            repo = ProductRepository(tx.connection)
            product = _live_product(repo, product_id)
            if seller_id is not None:
                product.ensure_owned_by(seller_id)
            updated = product.changed(changes, tx.now)
            if updated.category != product.category:
                node = place_in_tree(tx.connection, updated.category)
                updated = replace(updated, category_id=node)
            repo.save(updated)
            if (updated.price, updated.currency) != (product.price, product.currency):
                _mirror_on_home_offer(tx, updated)
            tx.record(events.PRODUCT_UPDATED, product_id, shown_snapshot(tx, updated))
        return self.get_product(product_id)

    def delete_product(self, product_id: str, seller_id: str | None) -> None:
        """`seller_id`: only that seller's product; None: any (an admin's moderation)."""
        with self.uow.begin() as tx:
            repo = ProductRepository(tx.connection)
            product = _live_product(repo, product_id)
            if seller_id is not None:
                product.ensure_owned_by(seller_id)
            repo.mark_deleted(product_id, tx.now)
            tx.record(events.PRODUCT_DELETED, product_id, {"product_id": product_id})

    def get_product(self, product_id: str) -> ProductView:
        with self.uow.read() as connection:
            view = product_view(connection, product_id)
        if view is None:
            raise ProductNotFound(product_id)
        return view

    def list_products(self, cursor: str | None = None, limit: int = 50) -> ProductPage:
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_PAGE:
            raise InvalidProduct(f"limit must be between 1 and {MAX_PAGE}", "limit")
        with self.uow.read() as connection:
            return product_page(connection, cursor, limit)


def _mirror_on_home_offer(tx: Transaction, product: Product) -> None:
    """The listing's price is its lister's offer's price: they change together."""
    offers = OfferRepository(tx.connection)
    home = offers.get(home_offer_id(product.product_id))
    if home is not None and not home.deleted:
        moved = replace(home, price=product.price, currency=product.currency, updated_at=tx.now)
        offers.save_terms(moved)


def _seller(tx: Transaction, seller_id: str):  # type: ignore[no-untyped-def]
    seller = UserRepository(tx.connection).get(seller_id)
    if seller is None:
        raise UserNotFound(seller_id)
    return seller


def _live_product(repo: ProductRepository, product_id: str) -> Product:
    product = repo.get(product_id)
    if product is None or product.deleted:
        raise ProductNotFound(product_id)
    return product
