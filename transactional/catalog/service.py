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
    ProductHasOpenOrders,
    ProductNotFound,
    checked,
)
from transactional.catalog.listing import list_product, new_product_id
from transactional.catalog.offer_repository import OfferRepository
from transactional.catalog.offers import (
    DEFAULT_SHIPPING_DAYS,
    checked_shipping_days,
    home_offer_id,
)
from transactional.catalog.repository import ProductRepository
from transactional.catalog.variant_service import family_price, follow_parent, list_variant
from transactional.catalog.variants import InvalidOptions, checked_option_names
from transactional.catalog.views import (
    ProductPage,
    ProductView,
    product_page,
    product_view,
    shown_snapshot,
)
from transactional.common.uow import Transaction, UnitOfWork
from transactional.inventory.domain import ensure_positive_quantity
from transactional.orders.repository import OrderRepository
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
        price: Decimal | None,
        currency: str = "USD",
        rating: float = 0.0,
        rating_count: int = 0,
        image_url: str = "",
        initial_stock: int = 0,
        product_id: str | None = None,
        shipping_days: int = DEFAULT_SHIPPING_DAYS,
        options: list[str] | None = None,
        variants: list[dict[str, Any]] | None = None,
    ) -> str:
        """The product and its lister's offer (`of-<product_id>`) with the price and stock. With
        `options` (names, in order): a parent and its `variants` (catalog.variant_service), all
        in this one transaction; the parent has no offer nor stock of its own."""
        family = options is not None or bool(variants)
        if initial_stock != 0:
            if family:
                raise InvalidProduct("a product with variants has no stock of its own",
                                     "initial_stock")  # fmt: skip
            initial_stock = ensure_positive_quantity(initial_stock, "initial_stock")
        shipping_days = checked_shipping_days(shipping_days)
        names = checked_option_names(options) if family else ()
        if family and not variants:
            raise InvalidOptions("a product with variants lists at least one", "variants")
        if price is None:
            if not family:
                raise InvalidProduct("a product needs a price", "price")
            price = family_price(variants or [])
        with self.uow.begin() as tx:
            _seller(tx, seller_id).ensure_seller()
            repo = ProductRepository(tx.connection)
            product_id = new_product_id(tx, repo, product_id, "product_id")
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
                    option_names=names,
                )
            )
            product = replace(product, category_id=place_in_tree(tx.connection, product.category))
            list_product(tx, product, initial_stock, shipping_days)
            for n, spec in enumerate(variants or []):
                list_variant(tx, product, spec, f"variants.{n}")
        return product_id

    def add_variant(self, seller_id: str, parent_id: str, **spec: Any) -> str:
        """A new variant of the seller's parent `parent_id`; `spec` as create_product's variants."""
        with self.uow.begin() as tx:
            repo = ProductRepository(tx.connection)
            parent = repo.get(parent_id, lock=True)
            if parent is None or parent.deleted:
                raise ProductNotFound(parent_id)
            parent.ensure_owned_by(seller_id)
            return list_variant(tx, parent, spec, "")

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
            follow_parent(tx, product, updated)
        return self.get_product(product_id)

    def delete_product(self, product_id: str, seller_id: str | None) -> None:
        """`seller_id`: only that seller's product; None: any (an admin's moderation)."""
        with self.uow.begin() as tx:
            repo = ProductRepository(tx.connection)
            product = _live_product(repo, product_id)
            if seller_id is not None:
                product.ensure_owned_by(seller_id)
            # A parent goes with its family: each variant is delisted, with its own event.
            doomed = [v.product_id for v in repo.live_variants(product_id)] + [product_id]
            under_way = OrderRepository(tx.connection).open_order_holding(doomed)
            if under_way is not None:
                raise ProductHasOpenOrders(product_id, under_way)
            for gone in doomed:
                repo.mark_deleted(gone, tx.now)
                tx.record(events.PRODUCT_DELETED, gone, {"product_id": gone})

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
