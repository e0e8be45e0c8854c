"""When an offer's price or stock moves, the product's buy box may move with it, and with it the
price shoppers and search see: a ProductUpdated carrying the new figure commits with the move."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from contracts import events
from transactional.catalog.offer_repository import OfferRepository
from transactional.catalog.offers import Offer
from transactional.catalog.repository import ProductRepository
from transactional.catalog.views import buy_boxes, shown_snapshot
from transactional.common.uow import Transaction

ShownPrices = dict[str, tuple[Decimal, str] | None]


def shown_prices(tx: Transaction, product_ids: Iterable[str]) -> ShownPrices:
    offers = OfferRepository(tx.connection).live_of_products(product_ids)
    return _prices(buy_boxes(tx.connection, offers), list(product_ids))


def contested_prices(offers: dict[str, list[Offer]], boxes: dict[str, Offer | None]) -> ShownPrices:
    """The shown prices, from their buy `boxes`, of the products among `offers` that more than
    one seller offers: only those can see their buy box move when stock moves (a lone offer is
    always the buy box)."""
    return _prices(boxes, [p for p, found in offers.items() if len(found) > 1])


def record_moves(tx: Transaction, before: ShownPrices) -> None:
    """A ProductUpdated for each product whose shown price is not what it was `before`."""
    if not before:
        return
    after = shown_prices(tx, before)
    moved = sorted(p for p in before if after.get(p) != before[p])
    if not moved:
        return
    found = ProductRepository(tx.connection).get_many(moved)
    for product_id in moved:
        product = found.get(product_id)
        if product is not None and not product.deleted:
            tx.record(events.PRODUCT_UPDATED, product_id, shown_snapshot(tx, product))


def _prices(boxes: dict[str, Offer | None], product_ids: list[str]) -> ShownPrices:
    shown: ShownPrices = {}
    for product_id in product_ids:
        box = boxes.get(product_id)
        shown[product_id] = (box.price, box.currency) if box else None
    return shown
