"""Checking out and paying with sandbox test cards; about 8% of attempts use the declining card.

A declined order is cancelled by the store, which gives the cart back as it was, so about half
of those shoppers pay again with a good card; the others leave it in the cart for a later visit.
A stock-out at checkout is counted and reported to the seller; the cart stays as it was, to be
tried again after a restock.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from simulation.shoppers import Shopper

if TYPE_CHECKING:
    from simulation.shop import Shop

APPROVE_CARD = "4242424242424242"
DECLINE_CARD = "4000000000000002"
DECLINE_RATE = 0.08
RETRY_AFTER_DECLINE = 0.5
OUT_OF_STOCK = "out_of_stock"  # the store's error code for a stock-out at checkout


def check_out(shop: Shop, shopper: Shopper, session_id: str, rng: np.random.Generator) -> None:
    card = DECLINE_CARD if rng.random() < DECLINE_RATE else APPROVE_CARD
    status = _pay(shop, shopper, card, f"{session_id}-1")
    if status == "cancelled" and rng.random() < RETRY_AFTER_DECLINE:
        _pay(shop, shopper, APPROVE_CARD, f"{session_id}-2")


def _pay(shop: Shop, shopper: Shopper, card: str, idempotency_key: str) -> str | None:
    customer_id = shopper.customer_id or ""
    try:
        order = shop.store.orders.checkout(customer_id, card, idempotency_key=idempotency_key)
    except Exception as refused:
        # A client knows the store's errors by their code, as an API client would.
        if str(getattr(refused, "code", "")) != OUT_OF_STOCK:
            raise
        shop.tally.out_of_stock += 1
        product_id = getattr(refused, "product_id", None)
        if product_id:
            shop.sold_out.add(product_id)
        return None
    shop.tally.orders_placed += 1
    status = str(getattr(order, "status", ""))
    if status == "paid":
        shop.tally.paid(order, shop.carts.pop(customer_id, {}))
    elif status == "cancelled":
        shop.tally.orders_declined += 1  # the store kept the cart: shop.carts stays as it is
    return status
