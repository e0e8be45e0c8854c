"""Inventory handlers: restock a product, read its on-hand level."""

from __future__ import annotations

from contracts import events
from transactional.catalog.domain import ProductNotFound
from transactional.catalog.repository import ProductRepository
from transactional.common.uow import UnitOfWork
from transactional.inventory.domain import StockReason, ensure_positive_quantity
from transactional.inventory.repository import StockRepository


class InventoryService:
    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow

    def restock(self, product_id: str, quantity: int, seller_id: str | None = None) -> int:
        """Adds on-hand units and returns the new level; with `seller_id`, only its owner may."""
        quantity = ensure_positive_quantity(quantity)
        with self.uow.begin() as tx:
            product = ProductRepository(tx.connection).get(product_id)
            if product is None or product.deleted:
                raise ProductNotFound(product_id)
            if seller_id is not None:
                product.ensure_owned_by(seller_id)
            change = StockRepository(tx.connection).add(product_id, quantity, StockReason.RESTOCK)
            if change is None:
                raise ProductNotFound(product_id)
            tx.record(events.STOCK_CHANGED, product_id, change.payload())
        return change.quantity

    def stock_level(self, product_id: str) -> int:
        with self.uow.read() as connection:
            level = StockRepository(connection).level(product_id)
        if level is None:
            raise ProductNotFound(product_id)
        return level
