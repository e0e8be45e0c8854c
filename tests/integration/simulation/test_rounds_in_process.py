"""Two rounds against the real store (SQLite) and the real serving services in-process (search
index, recommendation service): the log agrees with the rounds' reports."""

from __future__ import annotations

import json
from collections import Counter
from decimal import Decimal
from typing import Any

from sqlalchemy import create_engine, text

from contracts import events
from simulation import surfaces
from simulation.run import SIMULATION_START, Simulation
from simulation.tally import RoundReport
from simulation.truth import load_truth
from storeloop.settings import Settings


def _outbox(settings: Settings) -> list[tuple[str, dict[str, Any]]]:
    engine = create_engine(settings.db_url)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT type, payload FROM outbox ORDER BY position")).all()
    engine.dispose()
    return [(kind, json.loads(payload)) for kind, payload in rows]


class TasteModel:
    """Stands in for a trained recommender inside the real RecommendationService: it peeks at the
    hidden catalog (a test may; a model never does) and recommends the top-rated products of the
    category the shopper's recent products come from most, and a product's own type as its
    similar items, so that its lists get clicked."""

    version = "7"
    kind = "taste"

    def __init__(self, settings: Settings) -> None:
        # as a trained version, it knows products, not sizes: a family by its parent's id
        self.products = {}
        for spec in load_truth(settings).products.values():
            self.products.setdefault(spec.family_id or spec.product_id, spec)

    def knows(self, history: list[str]) -> bool:
        return any(p in self.products for p in history)

    def recommend(
        self, history: list[str], k: int, exclude: Any = (), purchased: Any = ()
    ) -> list[tuple[str, float]]:
        categories = Counter(self.products[p].category for p in history if p in self.products)
        category = categories.most_common(1)[0][0]
        picks = [(key, p) for key, p in self.products.items() if p.category == category]
        return [(key, p.rating) for key, p in sorted(picks, key=lambda kp: -kp[1].rating)][:k]

    def similar(self, product_id: str, k: int) -> list[tuple[str, float]]:
        anchor = self.products[product_id]
        picks = [(key, p) for key, p in self.products.items()
                 if p.product_type == anchor.product_type and key != product_id]  # fmt: skip
        return [(key, p.rating) for key, p in picks][:k]

    def popular(self, k: int, skip: Any = frozenset()) -> list[tuple[str, float]]:
        return []


def _two_rounds(
    settings: Settings, with_model: bool
) -> tuple[tuple[RoundReport, RoundReport], list[tuple[str, dict[str, Any]]]]:
    from launch.consumers import run_all
    from launch.search_client import InProcessServing
    from transactional.bootstrap import bootstrap
    from transactional.common.clock import SimulatedClock

    store = bootstrap(settings, clock=SimulatedClock(SIMULATION_START))
    serving = InProcessServing(settings)

    def day_end(day: int, on: Any) -> None:
        run_all(settings)  # the index follows stock, as between rounds in `make up`
        serving.refresh()

    try:
        simulation = Simulation(settings, store, serving, progress=False)
        simulation.open_store(on_listed=lambda: run_all(settings))
        if with_model:
            serving.recommendations.recommender = TasteModel(settings)
        rounds = (simulation.run_days(0, 1, day_end), simulation.run_days(1, 1, day_end))
    finally:
        store.close()
    return rounds, _outbox(settings)


def _both(rounds: tuple[RoundReport, ...], figure: str) -> int:
    return sum(r.as_dict()[figure] for r in rounds)


def test_two_rounds_served_in_process_land_in_the_log_as_reported(
    tiny_settings: Settings, monkeypatch: Any
) -> None:
    from serving.recommend.service import POPULARITY

    monkeypatch.setattr(surfaces, "FEED_PROBABILITY", 0.8)  # enough lists for a tiny shop
    settings = tiny_settings.model_copy(update={"sim_shoppers": 40})
    (first, second), log = _two_rounds(settings, with_model=False)
    kinds = Counter(kind for kind, _ in log)
    rounds = (first, second)

    def both(figure: str) -> int:
        return _both(rounds, figure)

    families = {p.family_id for p in load_truth(settings).products.values() if p.family_id}
    assert kinds[events.PRODUCT_CREATED] == 200 + len(families)  # listed once for both rounds
    shown = [p for kind, p in log if kind == events.RECOMMENDATIONS_SHOWN]
    assert len(shown) == both("feeds") + both("similar_lists") > 0
    assert both("feeds") > 0 and both("similar_lists") > 0
    # no model is trained: serving fills every list with its baseline, and says so
    assert {p["recommender"] for p in shown} == {POPULARITY}
    assert first.recommenders == second.recommenders == (POPULARITY,)
    assert {p["strategy"] for p in shown} == {POPULARITY}
    assert kinds[events.RECOMMENDATION_CLICKED] == both("feed_clicks") + both("similar_clicks")
    assert kinds[events.SEARCH_RESULT_CLICKED] == both("search_clicks")
    adds = [p for kind, p in log if kind == events.CART_ITEM_ADDED]
    assert len(adds) == both("cart_adds")
    from_lists = sum(p["recommendation_id"] is not None for p in adds)
    assert from_lists == both("feed_cart_adds") + both("similar_cart_adds")
    assert sum(p["search_id"] is not None for p in adds) == both("search_cart_adds")
    searched = [p for kind, p in log if kind == events.SEARCH_PERFORMED]
    assert {p["ranker"] for p in searched} == set(first.rankers) | set(second.rankers)
    sessions = {p["session_id"] for p in searched}
    assert len(sessions) == first.sessions + second.sessions  # unique across the rounds
    assert {s.split("-")[2] for s in sessions} == {"000", "001"}
    totals = {p["order_id"]: Decimal(p["total"]) for k, p in log if k == events.ORDER_PLACED}
    paid = [
        p["order_id"]
        for kind, p in log
        if kind == events.ORDER_STATUS_CHANGED and p["to_status"] == "paid"
    ]
    assert first.revenue + second.revenue == sum(totals[o] for o in paid) > 0


def test_a_served_models_lists_are_clicked_bought_and_credited_to_it(
    tiny_settings: Settings, monkeypatch: Any
) -> None:
    monkeypatch.setattr(surfaces, "FEED_PROBABILITY", 1.0)
    settings = tiny_settings.model_copy(update={"sim_shoppers": 40})
    rounds, log = _two_rounds(settings, with_model=True)
    shown = {p["recommendation_id"]: p for k, p in log if k == events.RECOMMENDATIONS_SHOWN}
    # a shopper with no recent products yet gets the version's popular products, and a product
    # whose peers are sold out gets popular ones: each list says which strategy filled it
    served = {(p["surface"], p["recommender"], p["strategy"]) for p in shown.values()}
    assert {("feed", "7", "taste"), ("similar", "7", "also_bought")} <= served
    assert served <= {
        ("feed", "7", "taste"),
        ("feed", "7", "popularity"),
        ("similar", "7", "also_bought"),
        ("similar", "7", "popularity"),
    }
    assert all("7" in r.recommenders for r in rounds)
    clicks = [p for k, p in log if k == events.RECOMMENDATION_CLICKED]
    assert len(clicks) == _both(rounds, "feed_clicks") + _both(rounds, "similar_clicks") > 0
    assert all(c["recommendation_id"] in shown for c in clicks)
    adds = [p for k, p in log if k == events.CART_ITEM_ADDED and p["recommendation_id"]]
    assert len(adds) == _both(rounds, "feed_cart_adds") + _both(rounds, "similar_cart_adds") > 0
    assert all(a["recommendation_id"] in shown for a in adds)
    paid = {
        p["order_id"]
        for k, p in log
        if k == events.ORDER_STATUS_CHANGED and p["to_status"] == "paid"
    }
    bought_from_lists = [
        item
        for k, p in log
        if k == events.ORDER_PLACED and p["order_id"] in paid
        for item in p["items"]
        if item["recommendation_id"]
    ]
    credited = sum(
        row.revenue for r in rounds for row in r.served if row.surface in ("feed", "similar")
    )
    # the report credits a line to the last list that added it, the store to every channel
    from_lists = sum(Decimal(i["unit_price"]) * i["quantity"] for i in bought_from_lists)
    assert 0 < credited <= from_lists
