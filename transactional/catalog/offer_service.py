"""Offer handlers: a seller offers an existing product, changes its price, stock and shipping
time, withdraws it; only its own offers. Anyone lists a product's offers, buy box first."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal

from contracts import events
from transactional.catalog.domain import Product, ProductNotFound
from transactional.catalog.offer_repository import OfferRepository
from transactional.catalog.offers import (
    DEFAULT_SHIPPING_DAYS,
    Offer,
    OfferExists,
    OfferNotFound,
    SellerRating,
    buy_box_order,
    checked_price,
    checked_shipping_days,
    checked_stock,
    home_offer_id,
)
from transactional.catalog.repository import ProductRepository
from transactional.catalog.shown_price import ShownPrices, record_moves, shown_prices
from transactional.catalog.variants import ensure_buyable
from transactional.common.ids import hex_id
from transactional.common.uow import Transaction, UnitOfWork
from transactional.inventory.domain import MAX_RESTOCK
from transactional.inventory.offer_stock import OfferStock
from transactional.users.domain import UserNotFound
from transactional.users.repository import UserRepository

MAX_OFFERS_PAGE = 500


@dataclass(frozen=True)
class OfferView:
    offer_id: str
    product_id: str
    seller_id: str
    price: Decimal
    currency: str
    stock: int
    shipping_days: int
    seller_rating: float
    seller_rating_count: int
    buy_box: bool
    updated_at: datetime


class OfferService:
    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow

    def offers_of_product(self, product_id: str) -> list[OfferView]:
        """Live offers, the buy box first, then in the order the buy-box rule ranks them."""
        with self.uow.read() as connection:
            product = ProductRepository(connection).get(product_id)
            if product is None or product.deleted:
                raise ProductNotFound(product_id)
            repo = OfferRepository(connection)
            offers = repo.live_of_products([product_id]).get(product_id, [])
            ratings = repo.seller_ratings(o.seller_id for o in offers)
        ranked = buy_box_order(offers, ratings)
        return [_view(o, ratings, n == 0) for n, o in enumerate(ranked)]

    def offers_of_seller(self, seller_id: str, limit: int = MAX_OFFERS_PAGE) -> list[OfferView]:
        """The seller's own live offers, by product; `buy_box` says where theirs wins."""
        with self.uow.read() as connection:
            repo = OfferRepository(connection)
            mine = repo.live_of_seller(seller_id, limit)
            competing = repo.live_of_products({o.product_id for o in mine})
            sellers = {o.seller_id for found in competing.values() for o in found}
            ratings = repo.seller_ratings(sellers)
        winners = {p: buy_box_order(found, ratings)[0].offer_id for p, found in competing.items()}
        return [_view(o, ratings, winners.get(o.product_id) == o.offer_id) for o in mine]

    def create_offer(
        self,
        seller_id: str,
        product_id: str,
        price: Decimal,
        stock: int = 0,
        shipping_days: int = DEFAULT_SHIPPING_DAYS,
    ) -> OfferView:
        """In the product's currency (one order, one currency). A seller who withdrew its offer
        of this product before gets that offer back, with these terms."""
        price, shipping_days = checked_price(price), checked_shipping_days(shipping_days)
        stock = checked_stock(stock, MAX_RESTOCK)
        with self.uow.begin() as tx:
            seller = UserRepository(tx.connection).get(seller_id)
            if seller is None:
                raise UserNotFound(seller_id)
            seller.ensure_seller()
            product = _live_product(tx, product_id)
            ensure_buyable(product)  # sellers offer a variant, never its parent
            repo = OfferRepository(tx.connection)
            before = shown_prices(tx, [product_id])
            earlier = repo.of_seller_and_product(seller_id, product_id)
            if earlier is not None and not earlier.deleted:
                raise OfferExists(product_id, seller_id)
            offer = Offer(
                earlier.offer_id if earlier else _new_offer_id(product, seller_id),
                product_id, seller_id, price, product.currency, 0, shipping_days,
                earlier.created_at if earlier else tx.now, tx.now,
            )  # fmt: skip
            if earlier is None:
                repo.add(offer)
            else:
                repo.save_terms(offer)
            offer = _restock_to(tx, offer, stock)
            self._after_change(tx, offer, events.OFFER_CREATED, before)
            return self._view_in(tx, offer)

    def change_offer(
        self,
        offer_id: str,
        seller_id: str | None,
        price: Decimal | None = None,
        stock: int | None = None,
        shipping_days: int | None = None,
    ) -> OfferView:
        """`seller_id`: only that seller's offer; None: any (an admin's moderation). `stock` is
        the level the seller counts on the shelf now."""
        with self.uow.begin() as tx:
            repo = OfferRepository(tx.connection)
            offer = _live_offer(repo, offer_id)
            if seller_id is not None:
                offer.ensure_made_by(seller_id)
            product = _live_product(tx, offer.product_id)
            before = shown_prices(tx, [offer.product_id])
            changed = replace(
                offer,
                price=offer.price if price is None else checked_price(price),
                shipping_days=(
                    offer.shipping_days
                    if shipping_days is None
                    else checked_shipping_days(shipping_days)
                ),
                updated_at=tx.now,
            )
            repo.save_terms(changed)
            if stock is not None:
                changed = _restock_to(tx, changed, checked_stock(stock, MAX_RESTOCK))
            if changed.offer_id == home_offer_id(product.product_id):
                _mirror_on_listing(tx, product, changed)
            self._after_change(tx, changed, events.OFFER_CHANGED, before)
            return self._view_in(tx, changed)

    def delete_offer(self, offer_id: str, seller_id: str | None) -> None:
        """Withdraws the offer: its units leave the product's stock; orders keep naming it."""
        with self.uow.begin() as tx:
            repo = OfferRepository(tx.connection)
            offer = _live_offer(repo, offer_id)
            if seller_id is not None:
                offer.ensure_made_by(seller_id)
            before = shown_prices(tx, [offer.product_id])
            if change := OfferStock(tx.connection).withdraw(offer):
                tx.record(events.STOCK_CHANGED, offer.product_id, change.payload())
            repo.mark_deleted(offer_id, tx.now)
            tx.record(
                events.OFFER_DELETED,
                offer.product_id,
                {
                    "offer_id": offer_id,
                    "product_id": offer.product_id,
                    "seller_id": offer.seller_id,
                },
            )
            record_moves(tx, before)

    @staticmethod
    def _after_change(tx: Transaction, offer: Offer, kind: str, before: ShownPrices) -> None:
        tx.record(kind, offer.product_id, offer.snapshot())
        record_moves(tx, before)

    @staticmethod
    def _view_in(tx: Transaction, offer: Offer) -> OfferView:
        repo = OfferRepository(tx.connection)
        competing = repo.live_of_products([offer.product_id]).get(offer.product_id, [])
        ratings = repo.seller_ratings(o.seller_id for o in competing)
        winner = buy_box_order(competing, ratings)
        return _view(offer, ratings, bool(winner) and winner[0].offer_id == offer.offer_id)


def _restock_to(tx: Transaction, offer: Offer, wanted: int) -> Offer:
    if change := OfferStock(tx.connection).set_level(offer, wanted):
        tx.record(events.STOCK_CHANGED, offer.product_id, change.payload())
    return replace(offer, stock=wanted)


def _mirror_on_listing(tx: Transaction, product: Product, home: Offer) -> None:
    """The lister's offer's price is the listing's price: they change together."""
    if home.price != product.price:
        ProductRepository(tx.connection).save(replace(product, price=home.price, updated_at=tx.now))


def _new_offer_id(product: Product, seller_id: str) -> str:
    # The lister's offer keeps its well-known id even when it is made again after a delete.
    return home_offer_id(product.product_id) if seller_id == product.seller_id else hex_id("of")


def _live_product(tx: Transaction, product_id: str) -> Product:
    product = ProductRepository(tx.connection).get(product_id)
    if product is None or product.deleted:
        raise ProductNotFound(product_id)
    return product


def _live_offer(repo: OfferRepository, offer_id: str) -> Offer:
    offer = repo.get(offer_id)
    if offer is None or offer.deleted:
        raise OfferNotFound(offer_id)
    return offer


def _view(offer: Offer, ratings: dict[str, SellerRating], wins: bool) -> OfferView:
    rating = ratings.get(offer.seller_id, SellerRating())
    return OfferView(
        offer.offer_id, offer.product_id, offer.seller_id, offer.price, offer.currency,
        offer.stock, offer.shipping_days, rating.stars, rating.count, wins, offer.updated_at,
    )  # fmt: skip
