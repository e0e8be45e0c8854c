"""The lists a shopper is shown: a search result page, the home page's feed, and "similar items"
under a product. Each is recorded in the store, looked at with the same cascade
(`browsing.browse`) graded by the hidden truth, and its clicks and cart adds are attributed to it.
The page each list is on, and each product page a click opens, is a page view of the session, as
the web storefront records its shoppers'.

The feed opens some sessions (`FEED_PROBABILITY`) and is graded against what the shopper came for
today: the session's query as they would type it without a typo. Similar items follow some clicks
on a search result or a feed item (`SIMILAR_PROBABILITY`) and are graded against the clicked
product's type: that is the kind of product the shopper is looking at. A click on a similar item
does not open another similar list, so a session stays a few lists long.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from simulation.browsing import browse
from simulation.catalog import ProductSpec
from simulation.relevance import true_relevance, utility
from simulation.serving_client import (
    RecommendationList,
    read_arm,
    read_recommendations,
    read_search_response,
    read_swapped_at,
)
from simulation.shop import Shop, Streams, add_to_cart, pause
from simulation.shoppers import Shopper
from simulation.tally import FEED, SEARCH, SIMILAR, Attribution

# About two sessions in five start on the home page; the rest come straight to the search box
# (a bookmark, a search engine, the browser's address bar).
FEED_PROBABILITY = 0.4
FEED_SIZE = 10
# On a product page, about one shopper in three scrolls down to the similar items.
SIMILAR_PROBABILITY = 0.3
SIMILAR_SIZE = 10
UNKNOWN_PRODUCT_UTILITY = -5.0  # a product the simulator did not list: nobody buys it
# The storefront page each surface's list is on (contracts.events.PAGE_KINDS) and its path.
PAGE_OF = {SEARCH: "search", FEED: "home", SIMILAR: "product"}
PATH_OF = {"search": "/shop/search", "home": "/shop/"}

ProductPage = Callable[[ProductSpec | None], int]  # what else a click leads to; its cart adds


@dataclass(frozen=True)
class ShownList:
    attribution: Attribution  # the surface, the model that filled the list, its id in the store
    rows: list[dict[str, Any]]  # {product_id, position, score}, by position
    query: str  # what the hidden truth grades the list against


def show_search(
    shop: Shop,
    shopper: Shopper,
    session_id: str,
    query: str,
    streams: Streams,
) -> tuple[int, int]:
    """A result page for `query`; returns how many results it showed and how many of them (or of
    the similar items they led to) went into the cart."""
    view_page(shop, shopper, session_id, "search")
    response = shop.serving.search(query, shopper.customer_id)
    rows, ranker = read_search_response(response)
    shop.tally.saw(SEARCH, ranker)
    search_id = shop.store.storefront.record_search(
        session_id, shopper.customer_id, query, rows, ranker, read_arm(response),
        read_swapped_at(response),
    )  # fmt: skip
    shown = ShownList(Attribution(SEARCH, ranker, search_id), rows, query)
    page = _similar_page(shop, shopper, session_id, streams)
    return len(rows), look_through(shop, shopper, session_id, shown, streams.main, page)


def maybe_show_feed(
    shop: Shop, shopper: Shopper, session_id: str, clean_query: str, streams: Streams
) -> int:
    """Some sessions open the home page first; returns the cart adds it led to."""
    customer_id = shopper.customer_id
    if not shop.recommends or customer_id is None or streams.feed.random() >= FEED_PROBABILITY:
        return 0
    view_page(shop, shopper, session_id, "home")
    served = read_recommendations(shop.serving.feed(customer_id, FEED_SIZE))
    page = _similar_page(shop, shopper, session_id, streams)
    return _show_recommendations(
        shop, shopper, session_id, FEED, None, served, clean_query, streams.feed, page
    )


def maybe_show_similar(
    shop: Shop,
    shopper: Shopper,
    session_id: str,
    anchor: ProductSpec | None,
    rng: np.random.Generator,
) -> int:
    """On the page of `anchor`, some shoppers scroll to similar items; returns their cart adds."""
    if not shop.recommends or anchor is None or rng.random() >= SIMILAR_PROBABILITY:
        return 0
    served = read_recommendations(
        shop.serving.similar(anchor.product_id, shopper.customer_id, SIMILAR_SIZE)
    )
    anchor_type_query = anchor.product_type.lower()
    return _show_recommendations(
        shop, shopper, session_id, SIMILAR, anchor.product_id, served, anchor_type_query, rng, None
    )


def _similar_page(shop: Shop, shopper: Shopper, session_id: str, streams: Streams) -> ProductPage:
    return lambda spec: maybe_show_similar(shop, shopper, session_id, spec, streams.similar)


def _show_recommendations(
    shop: Shop,
    shopper: Shopper,
    session_id: str,
    surface: str,
    anchor_product_id: str | None,
    served: RecommendationList,
    query: str,
    rng: np.random.Generator,
    page: ProductPage | None,
) -> int:
    shop.tally.saw(surface, served.recommender)
    if not served.rows:
        return 0  # nothing was shown: no impression to record
    recommendation_id = shop.store.storefront.record_recommendations(
        session_id,
        shopper.customer_id,
        surface,
        anchor_product_id,
        served.recommender,
        served.strategy,
        served.rows,
        served.arm,
    )
    attribution = Attribution(surface, served.recommender, recommendation_id)
    shown = ShownList(attribution, served.rows, query)
    return look_through(shop, shopper, session_id, shown, rng, page)


def look_through(
    shop: Shop,
    shopper: Shopper,
    session_id: str,
    shown: ShownList,
    rng: np.random.Generator,
    page: ProductPage | None,
) -> int:
    """The cascade over a recorded list: clicks and cart adds go to the store with the list's id;
    `page(spec)` is what a clicked product's page leads to. Returns the cart adds."""
    attribution = shown.attribution
    figures = shop.tally.on(attribution.surface, attribution.model)
    figures.shown += 1
    specs = [shop.products.get(row["product_id"]) for row in shown.rows]
    grades = [0 if s is None else true_relevance(shopper, s, shown.query) for s in specs]
    utilities = [
        UNKNOWN_PRODUCT_UTILITY if s is None else utility(shopper, s, shown.query) for s in specs
    ]
    added = 0
    for look in browse(rng, grades, utilities):
        if not look.clicked:
            continue
        row = shown.rows[look.index]
        pause(shop, rng)
        _record_click(shop, session_id, shopper.customer_id, attribution, row)
        view_page(
            shop, shopper, session_id, "product", row["product_id"], PAGE_OF[attribution.surface]
        )
        figures.clicks += 1
        if look.added_to_cart:
            added += add_to_cart(shop, shopper, specs[look.index], attribution, rng)
        if page is not None:
            added += page(specs[look.index])
    return added


def _record_click(
    shop: Shop,
    session_id: str,
    customer_id: str | None,
    attribution: Attribution,
    row: dict[str, Any],
) -> None:
    storefront = shop.store.storefront
    record = (
        storefront.record_click
        if attribution.surface == SEARCH
        else storefront.record_recommendation_click
    )
    record(attribution.list_id, session_id, customer_id, row["product_id"], row["position"])


def view_page(
    shop: Shop,
    shopper: Shopper,
    session_id: str,
    page: str,
    product_id: str | None = None,
    came_from: str | None = None,
) -> None:
    """A page of the storefront the shopper loaded, recorded as the web pages record theirs."""
    path = f"/shop/products/{product_id}" if product_id else PATH_OF[page]
    shop.store.storefront.record_page_view(
        session_id, shopper.customer_id, page, path, product_id, came_from
    )
