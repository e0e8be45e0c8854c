"""Recommendations as a shopping channel, against an in-memory fake store and a fake serving
client (conftest.py): what is shown, clicked and added is recorded with the list it came from
and the model that filled it, and graded by the hidden truth for the right words."""

from __future__ import annotations

import copy
from collections import Counter
from typing import Any

import numpy as np
import pytest

from simulation import queries, surfaces
from simulation.catalog import generate_catalog
from simulation.queries import as_typed, choose_intent, clean_query
from simulation.relevance import true_relevance
from simulation.run import simulate
from simulation.shop import Shop, Streams
from simulation.shoppers import generate_shoppers
from simulation.tally import RoundReport
from storeloop.settings import Settings
from tests.unit.simulation.fake_shop import FakeServing, FakeStore


def _run(settings: Settings, serving: Any = None) -> tuple[FakeStore, FakeServing, RoundReport]:
    store = FakeStore()
    fake = FakeServing(settings, store)
    report = simulate(settings, store, serving or fake, progress=False)
    return store, fake, report


def _grading_spy(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, str, str]]:
    """Every call of the hidden truth while lists are looked at: (shopper, product, query)."""
    calls: list[tuple[Any, str, str]] = []

    def spy(shopper: Any, product: Any, query: str) -> int:
        calls.append((shopper, product.product_id, query))
        return true_relevance(shopper, product, query)

    monkeypatch.setattr(surfaces, "true_relevance", spy)
    return calls


def test_every_list_click_and_cart_add_names_its_list_and_model(
    small_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(surfaces, "FEED_PROBABILITY", 1.0)
    store, _, report = _run(small_settings)
    front = store.storefront
    feeds = {i: r for i, r in front.lists.items() if r["surface"] == "feed"}
    similar = {i: r for i, r in front.lists.items() if r["surface"] == "similar"}
    # every session opens the home page, and the fake's feed is never empty
    assert report.feeds == len(feeds) == report.sessions > 0
    assert report.similar_lists == len(similar) > 0
    assert {(r["recommender"], r["strategy"]) for r in feeds.values()} == {("7", "sasrec")}
    assert {(r["recommender"], r["strategy"]) for r in similar.values()} == {("7", "also_bought")}
    assert all(r["anchor_product_id"] is None for r in feeds.values())
    clicked = Counter(front.lists[c["recommendation_id"]]["surface"] for c in front.list_clicks)
    as_dict = report.as_dict()
    assert clicked["feed"] == as_dict["feed_clicks"] > 0
    assert clicked["similar"] == as_dict["similar_clicks"] > 0
    assert len(front.clicks) == as_dict["search_clicks"] > 0
    by_list = Counter(
        front.lists[a["recommendation_id"]]["surface"] if a["recommendation_id"] else "search"
        for a in store.cart.adds
    )
    assert by_list["feed"] == as_dict["feed_cart_adds"] > 0
    assert by_list["similar"] == as_dict["similar_cart_adds"]
    assert by_list["search"] == as_dict["search_cart_adds"] > 0
    assert all(a["search_id"] in front.searches for a in store.cart.adds if a["search_id"])
    assert report.rankers == ("ranker-3",) and report.recommenders == ("7",)
    # A page view per search page and home page, and per product page a click opened.
    views = Counter((v["page"], v["referrer_page"]) for v in front.page_views)
    assert views[("home", None)] == len(feeds)
    assert views[("search", None)] == len(front.searches)
    assert views[("product", "search")] == len(front.clicks)
    assert views[("product", "home")] == clicked["feed"]
    assert views[("product", "product")] == clicked["similar"]
    assert sum(views.values()) == len(feeds) + len(front.searches) + len(front.clicks) + sum(
        clicked.values()
    )
    assert [(row.surface, row.model) for row in report.served] == [
        ("search", "ranker-3"),
        ("feed", "7"),
        ("similar", "7"),
    ]


def test_revenue_is_the_paid_totals_split_by_the_list_each_line_came_from(
    small_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(surfaces, "FEED_PROBABILITY", 1.0)
    store, _, report = _run(small_settings)
    paid = [order for order in store.orders.placed if order.status == "paid"]
    assert report.orders_paid == len(paid) > 0
    assert report.revenue == sum(order.total for order in paid) > 0
    assert sum(row.revenue for row in report.served) == report.revenue
    assert report.as_dict()["revenue"] == str(report.revenue)


def test_similar_lists_hang_under_a_product_clicked_in_search_or_the_feed(
    small_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(surfaces, "FEED_PROBABILITY", 1.0)
    monkeypatch.setattr(surfaces, "SIMILAR_PROBABILITY", 1.0)
    store, _, _ = _run(small_settings)
    front = store.storefront
    opened_from: set[tuple[str, str]] = set()  # (session, product) clicked in search or feed
    for click in front.clicks:
        search = front.searches[click["search_id"]]
        row = next(r for r in search["results"] if r["position"] == click["position"])
        opened_from.add((search["session_id"], row["product_id"]))
    for click in front.list_clicks:
        shown = front.lists[click["recommendation_id"]]
        if shown["surface"] == "feed":
            opened_from.add((shown["session_id"], click["product_id"]))
    similar = [r for r in front.lists.values() if r["surface"] == "similar"]
    assert similar
    # every click in search or feed opened similar items (the fake has some for most types),
    # and a click on a similar item opened none: one similar list per such click at most
    assert {(r["session_id"], r["anchor_product_id"]) for r in similar} <= opened_from
    assert len(similar) <= len(front.clicks) + sum(
        front.lists[c["recommendation_id"]]["surface"] == "feed" for c in front.list_clicks
    )


def _one_shop(settings: Settings) -> tuple[Shop, FakeStore, Any]:
    store = FakeStore()
    catalog = generate_catalog(settings.sim_products, settings.seed)
    for spec in catalog:
        store.inventory.stock[spec.product_id] = 50
        store.catalog.products[spec.product_id] = {"price": spec.price}
    shopper = generate_shoppers(settings.sim_shoppers, settings.seed)[0]
    shopper.customer_id = "c-000001"
    serving = FakeServing(settings, store)
    return Shop(store, serving, {p.product_id: p for p in catalog}), store, shopper


def test_the_feed_is_graded_for_what_the_shopper_came_for_without_the_typo(
    small_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from simulation.behaviour import run_session
    from simulation.run import SIMULATION_START

    monkeypatch.setattr(surfaces, "FEED_PROBABILITY", 1.0)
    monkeypatch.setattr(queries, "TYPO_RATE", 1.0)  # every typed query has a slip
    calls = _grading_spy(monkeypatch)
    shop, store, shopper = _one_shop(small_settings)
    streams = Streams.seeded(3)
    twin = copy.deepcopy(streams.main)
    meant = clean_query(choose_intent(shopper, twin), twin)
    typed = as_typed(meant, twin)
    assert typed != meant
    run_session(shop, shopper, "sess-1", SIMULATION_START, streams)
    (feed,) = store.storefront.lists.values()
    (search, *_) = store.storefront.searches.values()
    assert search["query"] == typed
    feed_ids = [item["product_id"] for item in feed["items"]]
    assert calls[: len(feed_ids)] == [(shopper, pid, meant) for pid in feed_ids]
    assert {query for _, _, query in calls[len(feed_ids) :]} == {typed}


def test_similar_items_are_graded_for_the_clicked_products_type(
    small_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(surfaces, "SIMILAR_PROBABILITY", 1.0)
    calls = _grading_spy(monkeypatch)
    shop, store, shopper = _one_shop(small_settings)
    anchor = shop.products["p-000010"]
    surfaces.maybe_show_similar(shop, shopper, "sess-1", anchor, np.random.default_rng(0))
    (shown,) = store.storefront.lists.values()
    assert shown["anchor_product_id"] == "p-000010" and shown["surface"] == "similar"
    assert shown["items"] and all(i["product_id"] != "p-000010" for i in shown["items"])
    anchor_type_query = anchor.product_type.lower()
    assert calls == [(shopper, i["product_id"], anchor_type_query) for i in shown["items"]]


def test_an_empty_list_is_not_recorded_but_its_model_is_seen(
    small_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(surfaces, "FEED_PROBABILITY", 1.0)
    shop, store, shopper = _one_shop(small_settings)
    shop.serving.feed = lambda customer_id, k: {"recommender": "popularity", "items": []}
    streams = Streams.seeded(1)
    assert surfaces.maybe_show_feed(shop, shopper, "sess-1", "desk lamp", streams) == 0
    assert store.storefront.lists == {} and shop.tally.served == {}
    assert shop.tally.recommenders == {"popularity"}


def test_a_search_only_callable_shows_no_recommendations(small_settings: Settings) -> None:
    store = FakeStore()
    fake = FakeServing(small_settings, store)
    report = simulate(small_settings, store, fake.search, progress=False)
    assert store.storefront.lists == {} and report.feeds == report.similar_lists == 0
    assert {kind for kind, _ in fake.calls} == {"search"} and report.searches > 0


def test_recommendations_draw_from_their_own_streams(
    small_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Until a recommendation first changes a cart, the sessions search and click as they do
    without recommendations: the feed's and similar items' draws do not shift the search's."""
    monkeypatch.setattr(surfaces, "FEED_PROBABILITY", 1.0)
    with_recs, _, _ = _run(small_settings)
    without = FakeStore()
    simulate(small_settings, without, FakeServing(small_settings, without).search, progress=False)

    first_rec_add = next(
        with_recs.storefront.lists[a["recommendation_id"]]["session_id"]
        for a in with_recs.cart.adds
        if a["recommendation_id"]
    )

    def sessions_until(store: FakeStore) -> list[tuple[str, str, list[int]]]:
        rows = []
        for search_id, search in store.storefront.searches.items():
            if search["session_id"] > first_rec_add:
                break
            clicks = [c["position"] for c in store.storefront.clicks if c["search_id"] == search_id]
            rows.append((search["session_id"], search["query"], clicks))
        return rows

    before = sessions_until(with_recs)
    assert len(before) > 3 and any(clicks for _, _, clicks in before)
    assert before == sessions_until(without)
