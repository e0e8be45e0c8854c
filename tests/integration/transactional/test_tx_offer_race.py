"""No oversell on one offer of a product several sellers offer: 200 buyers, each naming the same
offer, race for its 10 units on a SQLite file and on PostgreSQL; the other offers keep theirs."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import text

from contracts import events

BUYERS = 200
UNITS = 10
OTHERS = {"dearer": 7, "slower": 4}

pytestmark = pytest.mark.slow


def test_200_buyers_of_one_offer_among_three_buy_exactly_its_units(store, checkout_race):
    lister = store.users.register("Lister", "lister@example.com", "seller")
    rival = store.users.register("Rival", "rival@example.com", "seller")
    slow = store.users.register("Slow", "slow@example.com", "seller")
    product_id = store.catalog.create_product(
        lister, "Hot item", "", "", "", Decimal("12.00"), initial_stock=OTHERS["dearer"]
    )
    hot = store.offers.create_offer(rival, product_id, Decimal("9.99"), UNITS, shipping_days=2)
    store.offers.create_offer(slow, product_id, Decimal("9.99"), OTHERS["slower"], shipping_days=9)
    outcomes = checkout_race(product_id, hot.offer_id, BUYERS)

    assert outcomes == {"paid": UNITS, "out_of_stock": BUYERS - UNITS}
    levels = {o.seller_id: o.stock for o in store.offers.offers_of_product(product_id)}
    assert levels == {rival: 0, lister: OTHERS["dearer"], slow: OTHERS["slower"]}
    assert store.inventory.stock_level(product_id) == sum(OTHERS.values())
    with store.engine.connect() as connection:
        sold = connection.execute(
            text("SELECT seller_id, offer_id, SUM(quantity) FROM order_items GROUP BY 1, 2")
        ).all()
        payouts = connection.execute(
            text("SELECT seller_id, COUNT(*), SUM(sold_cents) FROM seller_payouts GROUP BY 1")
        ).all()
        placed = connection.execute(
            text("SELECT COUNT(*) FROM outbox WHERE type = :t"), {"t": events.ORDER_PLACED}
        ).scalar_one()
    assert [tuple(row) for row in sold] == [(rival, hot.offer_id, UNITS)]
    assert [tuple(row) for row in payouts] == [(rival, UNITS, UNITS * 999)]
    assert placed == UNITS
