"""One shopping session against the real store: intent, query, search, browse, cart, checkout, pay.

The `search` callable is `search(query, customer_id)` and returns either a dict
`{"results": [...], "ranker": str}` or an object with `.results` and `.ranker` (as
`serving.search.service.SearchResponse`); each result is a dict or object with `product_id`,
`position` (1-based) and `score`. A bare list of results is taken as ranker "index".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import numpy as np

from simulation.browsing import browse
from simulation.catalog import ProductSpec
from simulation.checkout import check_out
from simulation.queries import choose_intent, write_query
from simulation.relevance import true_relevance, utility
from simulation.shoppers import Shopper

REFORMULATE_PROBABILITY = 0.5  # after an empty result page, try the plain product type


@dataclass
class Tally:
    searches: int = 0
    clicks: int = 0
    cart_adds: int = 0
    orders_placed: int = 0
    orders_paid: int = 0
    orders_declined: int = 0
    out_of_stock: int = 0  # stock-outs met on a product page or refused at checkout


@dataclass
class Shop:
    """Everything a session touches; `carts` mirrors each cart: product -> (quantity, search)."""

    store: Any
    search: Callable[[str, str | None], Any]
    products: dict[str, ProductSpec]
    tally: Tally = field(default_factory=Tally)
    carts: dict[str, dict[str, tuple[int, str | None]]] = field(default_factory=dict)
    declined_carts: dict[str, dict[str, tuple[int, str | None]]] = field(default_factory=dict)
    sold_out: set[str] = field(default_factory=set)  # sellers restock these later


def _field(item: Any, name: str) -> Any:
    return item[name] if isinstance(item, dict) else getattr(item, name)


def read_search_response(response: Any) -> tuple[list[dict[str, Any]], str]:
    """The results as `{product_id, position, score}` dicts, and the ranker that produced them."""
    items: Any
    ranker: Any
    if isinstance(response, list):
        items, ranker = response, "index"
    elif isinstance(response, dict):
        items, ranker = response["results"], response.get("ranker")
    else:
        items, ranker = response.results, getattr(response, "ranker", None)
    rows: list[dict[str, Any]] = [
        {
            "product_id": str(_field(item, "product_id")),
            "position": int(_field(item, "position")),
            "score": float(_field(item, "score")),
        }
        for item in items
    ]
    rows.sort(key=lambda row: row["position"])
    return rows, str(ranker or "index")


def run_session(
    shop: Shop, shopper: Shopper, session_id: str, started_at: datetime, rng: np.random.Generator
) -> None:
    shop.store.clock.set(started_at)
    intent = choose_intent(shopper, rng)
    query = write_query(intent, rng)
    shown, added = _search_and_browse(shop, shopper, session_id, query, rng)
    if not shown and intent.product_type is not None and rng.random() < REFORMULATE_PROBABILITY:
        _pause(shop, rng)
        shown, added = _search_and_browse(
            shop, shopper, session_id, intent.product_type.name.lower(), rng
        )
    cart = shop.carts.get(shopper.customer_id or "")
    # a cart filled today is usually bought now; one left from before only sometimes
    if cart and rng.random() < (0.75 if added else 0.25):
        _pause(shop, rng)
        check_out(shop, shopper, session_id, rng)


def _pause(shop: Shop, rng: np.random.Generator) -> None:
    shop.store.clock.advance(timedelta(seconds=float(rng.uniform(3.0, 45.0))))


def _search_and_browse(
    shop: Shop, shopper: Shopper, session_id: str, query: str, rng: np.random.Generator
) -> tuple[int, int]:
    """Returns how many results were shown and how many of them went into the cart."""
    customer_id = shopper.customer_id
    rows, ranker = read_search_response(shop.search(query, customer_id))
    search_id = shop.store.storefront.record_search(session_id, customer_id, query, rows, ranker)
    shop.tally.searches += 1
    specs = [shop.products.get(row["product_id"]) for row in rows]
    grades = [0 if s is None else true_relevance(shopper, s, query) for s in specs]
    utilities = [-5.0 if s is None else utility(shopper, s, query) for s in specs]
    added = 0
    for look in browse(rng, grades, utilities):
        if not look.clicked:
            continue
        row = rows[look.index]
        _pause(shop, rng)
        shop.store.storefront.record_click(
            search_id, session_id, customer_id, row["product_id"], row["position"]
        )
        shop.tally.clicks += 1
        if look.added_to_cart:
            added += _add_to_cart(shop, shopper, specs[look.index], search_id, rng)
    return len(rows), added


def _add_to_cart(
    shop: Shop, shopper: Shopper, spec: ProductSpec | None, search_id: str, rng
) -> int:
    if spec is None or shopper.customer_id is None:
        return 0
    cart = shop.carts.setdefault(shopper.customer_id, {})
    quantity = 2 if float(spec.price) < 25 and rng.random() < 0.2 else 1
    wanted = quantity + cart.get(spec.product_id, (0, None))[0]
    # the product page shows the stock: nobody adds what is visibly sold out
    if shop.store.inventory.stock_level(spec.product_id) < wanted:
        shop.tally.out_of_stock += 1
        shop.sold_out.add(spec.product_id)
        return 0
    shop.store.cart.add_item(shopper.customer_id, spec.product_id, quantity, search_id=search_id)
    cart[spec.product_id] = (wanted, search_id)
    shop.tally.cart_adds += 1
    return 1
