"""Listing a checked product: its row, stock, lister's offer and their events, in the caller's
transaction (catalog.service for one product, catalog.variant_service for a family)."""

from __future__ import annotations

from contracts import events
from transactional.catalog.domain import Product, ProductAlreadyExists
from transactional.catalog.offer_repository import OfferRepository
from transactional.catalog.offers import Offer, home_offer_id
from transactional.catalog.repository import ProductRepository
from transactional.common.ids import numbered_id, reserve_numbered_id
from transactional.common.uow import Transaction
from transactional.inventory.domain import StockChange, StockReason
from transactional.inventory.repository import StockRepository


def list_product(tx: Transaction, product: Product, initial_stock: int, shipping_days: int) -> None:
    """Adds a checked product with its stock row and, unless it is a parent (never bought), its
    lister's offer, and records their events."""
    ProductRepository(tx.connection).add(product)
    StockRepository(tx.connection).create(product.product_id, initial_stock)
    tx.record(events.PRODUCT_CREATED, product.product_id, product.snapshot())
    if product.is_parent:
        return
    offer = Offer(
        home_offer_id(product.product_id), product.product_id, product.seller_id, product.price,
        product.currency, initial_stock, shipping_days, tx.now, tx.now,
    )  # fmt: skip
    OfferRepository(tx.connection).add(offer)
    if initial_stock:
        change = StockChange(
            product.product_id, initial_stock, initial_stock, StockReason.RESTOCK,
            offer.offer_id, initial_stock,
        )  # fmt: skip
        tx.record(events.STOCK_CHANGED, product.product_id, change.payload())


def new_product_id(
    tx: Transaction, repo: ProductRepository, product_id: str | None, field: str
) -> str:
    """The id asked for (ProductAlreadyExists when taken, deleted ones too), else the next."""
    if product_id is None:
        return numbered_id(tx.connection, "product")
    if repo.exists(product_id):
        raise ProductAlreadyExists(product_id, field)
    reserve_numbered_id(tx.connection, "product", product_id)
    return product_id
