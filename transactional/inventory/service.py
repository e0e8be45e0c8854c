"""Inventory handlers: restock an offer of a product, read a product's on-hand level."""

from __future__ import annotations

from contracts import events
from transactional.catalog.domain import NotProductOwner, ProductNotFound
from transactional.catalog.offer_repository import OfferRepository
from transactional.catalog.offers import Offer, home_offer_id
from transactional.catalog.repository import ProductRepository
from transactional.catalog.shown_price import record_moves, shown_prices
from transactional.catalog.variants import ensure_buyable
from transactional.common.uow import Transaction, UnitOfWork
from transactional.inventory.domain import StockReason, ensure_positive_quantity
from transactional.inventory.offer_stock import OfferStock
from transactional.inventory.repository import StockRepository


class InventoryService:
    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow

    def restock(self, product_id: str, quantity: int, seller_id: str | None = None) -> int:
        """Adds on-hand units to `seller_id`'s offer of the product and returns the product's new
        level; without a seller (an admin, the simulator), to the lister's own offer."""
        quantity = ensure_positive_quantity(quantity)
        with self.uow.begin() as tx:
            product = ProductRepository(tx.connection).get(product_id)
            if product is None or product.deleted:
                raise ProductNotFound(product_id)
            ensure_buyable(product)  # a parent's stock is its variants'
            offer = _restocked_offer(tx, product_id, product.seller_id, seller_id)
            # Units can bring an out-of-stock offer back into the buy box.
            before = shown_prices(tx, [product_id])
            change = OfferStock(tx.connection).add(
                offer.offer_id, product_id, quantity, StockReason.RESTOCK
            )
            if change is None:
                raise ProductNotFound(product_id)
            tx.record(events.STOCK_CHANGED, product_id, change.payload())
            record_moves(tx, before)
        return change.quantity

    def stock_level(self, product_id: str) -> int:
        """The product's sellable units, over all its offers."""
        with self.uow.read() as connection:
            level = StockRepository(connection).level(product_id)
        if level is None:
            raise ProductNotFound(product_id)
        return level


def _restocked_offer(tx: Transaction, product_id: str, lister: str, seller_id: str | None) -> Offer:
    repo = OfferRepository(tx.connection)
    if seller_id is None:
        offer = repo.get(home_offer_id(product_id))
    else:
        offer = repo.of_seller_and_product(seller_id, product_id)
    if offer is None or offer.deleted:
        # A seller with no offer of it is told, as before offers, that the product is not theirs.
        if seller_id is not None and seller_id != lister:
            raise NotProductOwner(product_id, seller_id)
        raise ProductNotFound(product_id)
    return offer
