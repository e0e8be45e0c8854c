"""No oversell on one variant of a product with several: 200 buyers, each naming another seller's
offer of that variant, race for its 10 units on a SQLite file and on PostgreSQL; the variant's
lister keeps its units and the other variants keep theirs."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import text

BUYERS = 200
UNITS = 10
LISTED = {"8": 4, "9": 6, "10": 3}  # the lister's own units of each size

pytestmark = pytest.mark.slow


def test_200_buyers_of_one_variant_buy_exactly_its_offers_units(store, checkout_race):
    lister = store.users.register("Lister", "lister@example.com", "seller")
    rival = store.users.register("Rival", "rival@example.com", "seller")
    parent_id = store.catalog.create_product(
        lister, "Trail runner", "", "Acme", "Shoes", None, options=["size"],
        variants=[{"options": {"size": size}, "price": Decimal("40.00"), "stock": units}
                  for size, units in LISTED.items()],
    )  # fmt: skip
    by_size = {
        v.options["size"]: v.product_id for v in store.catalog.get_product(parent_id).variants or []
    }
    hot = store.offers.create_offer(rival, by_size["8"], Decimal("38.00"), UNITS, shipping_days=2)
    outcomes = checkout_race(by_size["8"], hot.offer_id, BUYERS)

    assert outcomes == {"paid": UNITS, "out_of_stock": BUYERS - UNITS}
    levels = {o.seller_id: o.stock for o in store.offers.offers_of_product(by_size["8"])}
    assert levels == {rival: 0, lister: LISTED["8"]}
    stock = {size: store.inventory.stock_level(pid) for size, pid in by_size.items()}
    assert stock == LISTED  # the lister's units of every size, untouched
    assert store.inventory.stock_level(parent_id) == 0
    family = store.catalog.get_product(parent_id)
    assert family.stock == sum(LISTED.values())
    with store.engine.connect() as connection:
        sold = connection.execute(
            text("SELECT product_id, offer_id, SUM(quantity) FROM order_items GROUP BY 1, 2")
        ).all()
    assert [tuple(row) for row in sold] == [(by_size["8"], hot.offer_id, UNITS)]
