"""The shop as the sessions share it: the store, serving, the carts as shoppers remember them,
what they found sold out, the random streams; and the two steps every surface takes: a pause and
a cart add."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import numpy as np

from simulation.catalog import ProductSpec
from simulation.serving_client import shows_recommendations
from simulation.shoppers import Shopper
from simulation.tally import Attribution, Tally

CartLines = dict[str, tuple[int, Attribution]]  # product -> (quantity, the list it came from)
# A product cheaper than this is sometimes put in the cart two at a time.
TWO_BELOW = 25.0
TWO_SHARE = 0.2


@dataclass
class Streams:
    """One random stream per kind of choice: whether and how a shopper looks at recommendations
    never shifts the draws of intents, queries, search browsing and checkout."""

    main: np.random.Generator  # agenda, restock, intents, queries, search browsing, checkout
    feed: np.random.Generator  # opening the home page, browsing the feed
    similar: np.random.Generator  # scrolling to similar items, browsing them

    @classmethod
    def seeded(cls, seed: int) -> Streams:
        # [seed, 3] is the stream the simulator has always used: the same seed, the same searches
        return cls(*(np.random.default_rng([seed, stream]) for stream in (3, 5, 6)))


@dataclass
class Shop:
    """Everything a session touches; `carts` mirrors each shopper's cart in the store."""

    store: Any
    serving: Any  # a serving client: search, feed, similar
    products: dict[str, ProductSpec]
    tally: Tally = field(default_factory=Tally)
    carts: dict[str, CartLines] = field(default_factory=dict)
    sold_out: set[str] = field(default_factory=set)  # sellers restock these later

    @property
    def recommends(self) -> bool:
        return shows_recommendations(self.serving)


def pause(shop: Shop, rng: np.random.Generator) -> None:
    shop.store.clock.advance(timedelta(seconds=float(rng.uniform(3.0, 45.0))))


def expected_quantity(price: float) -> float:
    """What `add_to_cart` puts in the cart on average."""
    return 1.0 + TWO_SHARE if price < TWO_BELOW else 1.0


def add_to_cart(
    shop: Shop,
    shopper: Shopper,
    spec: ProductSpec | None,
    attribution: Attribution,
    rng: np.random.Generator,
) -> int:
    """Adds the product from the list `attribution` names; 1 when it went into the cart."""
    if spec is None or shopper.customer_id is None:
        return 0
    cart = shop.carts.setdefault(shopper.customer_id, {})
    cheap = float(spec.price) < TWO_BELOW
    quantity = 2 if cheap and rng.random() < TWO_SHARE else 1
    wanted = quantity + (cart[spec.product_id][0] if spec.product_id in cart else 0)
    # the product page shows the stock: nobody adds what is visibly sold out
    if shop.store.inventory.stock_level(spec.product_id) < wanted:
        shop.tally.out_of_stock += 1
        shop.sold_out.add(spec.product_id)
        return 0
    shop.store.cart.add_item(
        shopper.customer_id, spec.product_id, quantity, **attribution.cart_reference()
    )
    cart[spec.product_id] = (wanted, attribution)
    shop.tally.on(attribution.surface, attribution.model).cart_adds += 1
    return 1
