"""One shopping session against the real store: an intent, maybe the home page's feed, a search
(reformulated after an empty page), similar items under some clicked products, then checkout.
"""

from __future__ import annotations

from datetime import datetime

from simulation.checkout import check_out
from simulation.queries import as_typed, choose_intent, clean_query
from simulation.shop import Shop, Streams, pause
from simulation.shoppers import Shopper
from simulation.surfaces import maybe_show_feed, show_search

REFORMULATE_PROBABILITY = 0.5  # after an empty result page, try the plain product type


def run_session(
    shop: Shop, shopper: Shopper, session_id: str, started_at: datetime, streams: Streams
) -> None:
    rng = streams.main
    shop.store.clock.set(started_at)
    shop.tally.sessions += 1
    intent = choose_intent(shopper, rng)
    meant = clean_query(intent, rng)
    query = as_typed(meant, rng)
    added = maybe_show_feed(shop, shopper, session_id, meant, streams)
    shown, found = show_search(shop, shopper, session_id, query, streams)
    added += found
    if not shown and intent.product_type is not None and rng.random() < REFORMULATE_PROBABILITY:
        pause(shop, rng)
        shown, found = show_search(
            shop, shopper, session_id, intent.product_type.name.lower(), streams
        )
        added += found
    cart = shop.carts.get(shopper.customer_id or "")
    # a cart filled today is usually bought now; one left from before only sometimes
    if cart and rng.random() < (0.75 if added else 0.25):
        pause(shop, rng)
        check_out(shop, shopper, session_id, rng)
