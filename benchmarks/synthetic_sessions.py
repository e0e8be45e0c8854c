"""A day of shopping sessions, drawn all at once: feeds, searches, similar items, clicks, the pages
they were on, cart adds, orders and payments, as event columns (and the stock they move) ready to
land in bronze.

The rates are simulation's (simulation.surfaces, simulation.checkout, simulation.browsing), applied
independently per item instead of by a cascade, so that a day is a few array operations.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from benchmarks import lake_json as J
from benchmarks.lake_json import SECOND, events
from benchmarks.synthetic_catalog import KINDS, QUERIES, Catalog
from benchmarks.synthetic_orders import StockMoves, check_out
from contracts import events as E

LIST_SIZE = 10  # search results, feed and similar items, as serving returns them
ANONYMOUS = 0.1  # sessions of visitors who never log in: they search and click, never buy
FEED_PROBABILITY, SIMILAR_PROBABILITY = 0.4, 0.3
REFORMULATE, ZERO_RESULTS = 0.15, 0.03
CLICK_AT_TOP = {"search": 0.3, "feed": 0.12, "similar": 0.1}  # falls as position ** -0.8
CART_AFTER_CLICK = {"search": 0.15, "feed": 0.1, "similar": 0.1}
INTERLEAVED, SWAPPED = 0.2, 0.1  # of the models arm's searches; of all searches
RANKER, RECOMMENDER = "4", "5"  # the champions' registry versions in the models arm
# The storefront page each list is on, and the page an item opened from it is: its product's.
PAGE_OF = {"search": "search", "feed": "home", "similar": "product"}
PATH_OF = {"search": "/shop/search", "home": "/shop/"}


@dataclass
class Lists:
    """Lists shown (searches, feeds, similar items), their items flat; `owner` is an item's list."""

    at: np.ndarray
    session: np.ndarray
    offsets: np.ndarray
    product: np.ndarray
    position: np.ndarray
    owner: np.ndarray
    ids: pa.Array


@dataclass
class Sessions:
    at: np.ndarray
    customer: pa.Array  # null for anonymous visitors
    known: np.ndarray
    number: pa.Array  # session_id
    arm: pa.Array
    kind: np.ndarray  # the product type the shopper came for


def shop_day(
    rng: np.random.Generator, catalog: Catalog, day: int, start: int, rate: float, seed: int
) -> tuple[list[pa.Table], StockMoves]:
    """Day `day` (from 0) starting at micros `start`: its events and the stock they move."""
    s = _sessions(rng, catalog, day, start, rate, seed)
    home = np.flatnonzero(s.known & (rng.random(len(s.at)) < FEED_PROBABILITY))
    shown = {"feed": _lists(rng, catalog, s, home, "rec-", s.at[home])}
    shown["search"], search_events = _searches(rng, catalog, s)
    clicked = {name: _clicked(rng, shown[name], name) for name in ("search", "feed")}
    # Some clicked products' pages show their similar items.
    pages = [(shown[name], clicked[name]) for name in ("search", "feed")]
    page_session = np.concatenate([lists.session[lists.owner[items]] for lists, items in pages])
    page_at = np.concatenate([_click_at(lists, items) for lists, items in pages])
    page_product = np.concatenate([lists.product[items] for lists, items in pages])
    scrolled = rng.random(len(page_session)) < SIMILAR_PROBABILITY
    shown["similar"] = _lists(
        rng, catalog, s, page_session[scrolled], "rec-", page_at[scrolled] + 3 * SECOND
    )
    clicked["similar"] = _clicked(rng, shown["similar"], "similar")
    tables = [
        search_events,
        _recommendation_events(s, shown["feed"], "feed", None),
        _recommendation_events(s, shown["similar"], "similar", page_product[scrolled]),
    ]
    adds = []
    for name, lists in shown.items():
        tables.append(_click_events(s, lists, clicked[name], name == "search"))
        adds.append(_cart_adds(rng, s, lists, clicked[name], name))
    cart = {key: _concat([add[key] for add in adds]) for key in adds[0]}
    tables.append(_cart_events(s, catalog, cart))
    order_tables, moves = check_out(rng, catalog, s.customer, s.at, cart)
    # Drawn last, so that the rest of the day is what it was before page views were logged.
    return [*tables, *order_tables, _page_view_events(rng, s, shown, clicked)], moves


def _concat(parts: list) -> pa.Array | np.ndarray:
    return pa.concat_arrays(parts) if isinstance(parts[0], pa.Array) else np.concatenate(parts)


def _sessions(
    rng: np.random.Generator, catalog: Catalog, day: int, start: int, rate: float, seed: int
) -> Sessions:
    n = rng.poisson(catalog.customers * rate)
    known = rng.random(n) >= ANONYMOUS
    # A few shoppers come often, most now and then.
    number = 1 + (catalog.customers * rng.random(n) ** 1.5).astype(np.int64)
    mask = pa.array(~known)
    customer = pc.if_else(mask, pa.scalar(None, pa.string()), J.numbered("c", number))
    arm = pc.if_else(
        mask, pa.scalar(None, pa.string()), pa.array(np.where(number % 2, "models", "control"))
    )
    session_numbers = pc.utf8_lpad(pc.cast(pa.array(np.arange(1, n + 1)), pa.string()), 6, "0")
    session_id = pc.binary_join_element_wise(f"sess-{seed}-{day:03d}-", session_numbers, "")
    at = start + rng.integers(300 * SECOND, 22 * 3600 * SECOND, n)
    return Sessions(at, customer, known, session_id, arm, rng.integers(0, len(KINDS), n))


def _lists(
    rng: np.random.Generator,
    catalog: Catalog,
    s: Sessions,
    session: np.ndarray,
    prefix: str,
    at: np.ndarray,
    size: np.ndarray | None = None,
) -> Lists:
    """Lists for `session`, each of `size` distinct products of the session's product type (of
    the whole catalog when the type has too few)."""
    count = np.full(len(session), LIST_SIZE) if size is None else size
    count = np.minimum(count, catalog.size)
    offsets = np.concatenate([[0], np.cumsum(count)]).astype(np.int64)
    owner = np.repeat(np.arange(len(session)), count)
    position = np.arange(offsets[-1]) - offsets[owner] + 1
    block = catalog.block_size[s.kind[session]]
    small = block < LIST_SIZE
    first = np.where(small, 0, catalog.block_start[s.kind[session]])
    block = np.where(small, catalog.size, block)
    anchor = (block * rng.random(len(session)) ** 2).astype(np.int64)  # popular ones first
    step = 1 + (rng.random(len(session)) * ((block - 1) // (LIST_SIZE - 1))).astype(np.int64)
    product = first[owner] + (anchor[owner] + (position - 1) * step[owner]) % block[owner]
    ids = J.hex_ids(rng, prefix, len(session))
    return Lists(at, session, offsets, product, position, owner, ids)


def _searches(rng: np.random.Generator, catalog: Catalog, s: Sessions) -> tuple[Lists, pa.Table]:
    tries = 1 + (rng.random(len(s.at)) < REFORMULATE)
    session = np.repeat(np.arange(len(s.at)), tries)
    again = np.arange(len(session)) - np.repeat(np.cumsum(tries) - tries, tries)
    size = np.where(rng.random(len(session)) < ZERO_RESULTS, 0, LIST_SIZE)
    at = s.at[session] + (30 + 120 * again) * SECOND
    shown = _lists(rng, catalog, s, session, "srch-", at=at, size=size)
    models = (
        pc.equal(s.arm.take(pa.array(session)), "models")
        .fill_null(False)
        .to_numpy(zero_copy_only=False)
    )
    interleaved = models & (rng.random(len(session)) < INTERLEAVED)
    # The index's BM25-like scores, falling with position: 30.0 at the top (4 decimals).
    score = 300_000 - 15_000 * shown.position + rng.integers(0, 10_000, len(shown.product))
    plain = dict(product_id=J.text(J.numbered("p", shown.product + 1)),
                 position=J.number(shown.position), score=J.decimal(score, 4))  # fmt: skip
    team = np.where(shown.position % 2 == 1, RANKER, "index")
    result = pc.if_else(
        pa.array(interleaved[shown.owner]),
        J.obj(**plain, team=J.text(pa.array(team))),
        J.obj(**plain),
    )
    swap = np.where(
        (rng.random(len(session)) < SWAPPED) & (size > 1), 1 + rng.integers(0, 9, len(session)), -1
    )
    query = QUERIES.pick(rng, s.kind[session])
    payload = J.obj(
        search_id=J.text(shown.ids),
        session_id=J.text(s.number.take(pa.array(session))),
        customer_id=J.text(s.customer.take(pa.array(session))),
        query=J.text(query),
        ranker=J.text(pa.array(np.where(models, RANKER, "index"))),
        arm=J.text(s.arm.take(pa.array(session))),
        swapped_at=J.number(pa.array(swap, mask=swap < 0)),
        results=J.array_of(result, shown.offsets),
    )
    return shown, events(at, 0, E.SEARCH_PERFORMED, shown.ids, payload)


def _clicked(rng: np.random.Generator, lists: Lists, surface: str) -> np.ndarray:
    """Items clicked, by a position bias like simulation.browsing's examination."""
    chance = CLICK_AT_TOP[surface] * lists.position.astype(np.float64) ** -0.8
    return np.flatnonzero(rng.random(len(lists.product)) < chance)


def _click_at(lists: Lists, items: np.ndarray) -> np.ndarray:
    return lists.at[lists.owner[items]] + (5 * lists.position[items] + 1) * SECOND


def _recommendation_events(
    s: Sessions, lists: Lists, surface: str, anchor: np.ndarray | None
) -> pa.Table:
    take = pa.array(lists.session)
    models = pc.equal(s.arm.take(take), "models").fill_null(False).to_numpy(zero_copy_only=False)
    strategy = ("sasrec", "popularity") if surface == "feed" else ("item_knn", "also_bought")
    score = 10_000 - 900 * lists.position
    items = J.obj(
        product_id=J.text(J.numbered("p", lists.product + 1)),
        position=J.number(lists.position),
        score=J.decimal(score, 4),
    )
    anchors = (
        pa.nulls(len(lists.at), pa.string()) if anchor is None else J.numbered("p", anchor + 1)
    )
    payload = J.obj(
        recommendation_id=J.text(lists.ids),
        session_id=J.text(s.number.take(take)),
        customer_id=J.text(s.customer.take(take)),
        surface=f'"{surface}"',
        anchor_product_id=J.text(anchors),
        recommender=J.text(pa.array(np.where(models, RECOMMENDER, "popularity"))),
        strategy=J.text(pa.array(np.where(models, *strategy))),
        arm=J.text(s.arm.take(take)),
        items=J.array_of(items, lists.offsets),
    )
    return events(lists.at, 0, E.RECOMMENDATIONS_SHOWN, lists.ids, payload)


def _click_events(s: Sessions, lists: Lists, items: np.ndarray, search: bool) -> pa.Table:
    list_ids = lists.ids.take(pa.array(lists.owner[items]))
    session = pa.array(lists.session[lists.owner[items]])
    body = {
        "search_id" if search else "recommendation_id": J.text(list_ids),
        "session_id": J.text(s.number.take(session)),
        "customer_id": J.text(s.customer.take(session)),
        "product_id": J.text(J.numbered("p", lists.product[items] + 1)),
        "position": J.number(lists.position[items]),
    }
    kind = E.SEARCH_RESULT_CLICKED if search else E.RECOMMENDATION_CLICKED
    return events(_click_at(lists, items), 0, kind, list_ids, J.obj(**body))


def _cart_adds(
    rng: np.random.Generator, s: Sessions, lists: Lists, items: np.ndarray, surface: str
) -> dict:
    """Cart adds after clicks of logged-in shoppers; each line names the list it came from."""
    session = lists.session[lists.owner[items]]
    kept = s.known[session] & (rng.random(len(items)) < CART_AFTER_CLICK[surface])
    items = items[kept]
    ids = lists.ids.take(pa.array(lists.owner[items]))
    none = pa.nulls(len(items), pa.string())
    return {
        "session": session[kept],
        "product": lists.product[items],
        "quantity": rng.choice([1, 1, 1, 1, 1, 1, 1, 1, 2, 3], len(items)),
        "at": _click_at(lists, items) + 20 * SECOND,
        "search_id": ids if surface == "search" else none,
        "rec_id": none if surface == "search" else ids,
    }


def _cart_events(s: Sessions, catalog: Catalog, cart: dict) -> pa.Table:
    customer = s.customer.take(pa.array(cart["session"]))
    cart_id = pc.binary_join_element_wise("cart-", customer, "")
    payload = J.obj(
        cart_id=J.text(cart_id),
        customer_id=J.text(customer),
        product_id=J.text(J.numbered("p", cart["product"] + 1)),
        quantity=J.number(cart["quantity"]),
        unit_price=J.text(J.decimal(catalog.price_cents[cart["product"]], 2)),
        search_id=J.text(cart["search_id"]),
        recommendation_id=J.text(cart["rec_id"]),
    )
    return events(cart["at"], 0, E.CART_ITEM_ADDED, cart_id, payload)


def _page_view_events(
    rng: np.random.Generator, s: Sessions, shown: dict[str, Lists], clicked: dict[str, np.ndarray]
) -> pa.Table:
    """A page view per search results page and home feed shown (similar items are on a product
    page already counted) and per product page opened from a list, named by where it came from."""
    session, at, page, product, came_from = [], [], [], [], []
    for name, lists in shown.items():
        if name != "similar":
            session.append(lists.session)
            at.append(lists.at)
            page.append(np.full(len(lists.at), PAGE_OF[name]))
            product.append(np.full(len(lists.at), -1))
            came_from.append(np.full(len(lists.at), ""))
        items = clicked[name]
        session.append(lists.session[lists.owner[items]])
        at.append(_click_at(lists, items))
        page.append(np.full(len(items), "product"))
        product.append(lists.product[items])
        came_from.append(np.full(len(items), PAGE_OF[name]))
    where = pa.array(np.concatenate(session))
    pages, products = np.concatenate(page), np.concatenate(product)
    product_id = pa.array(J.numbered("p", products + 1).to_numpy(zero_copy_only=False),
                          mask=products < 0)  # fmt: skip
    paths = pc.if_else(
        pa.array(products >= 0),
        pc.binary_join_element_wise("/shop/products/", product_id.fill_null(""), ""),
        pa.array([PATH_OF.get(p, "/shop/") for p in pages]),
    )
    referrer = np.concatenate(came_from)
    ids = J.hex_ids(rng, "pv-", len(pages))
    payload = J.obj(
        page_view_id=J.text(ids),
        session_id=J.text(s.number.take(where)),
        customer_id=J.text(s.customer.take(where)),
        page=J.text(pa.array(pages)),
        path=J.text(paths),
        product_id=J.text(product_id),
        referrer_page=J.text(pa.array(referrer, mask=referrer == "")),
    )
    return events(np.concatenate(at), 0, E.PAGE_VIEWED, ids, payload)
