"""Interleaving with the real store (SQLite), the real search service in-process and the
simulator's shoppers: a deliberately worse ranker loses the experiment, a better one wins it,
judged from the events the store logged (the teams of each result and the clicks).

The rankers here peek at the hidden truth (a test may; a model never does): one orders by true
relevance, the other by its opposite, so which is better is known without asking the clicks."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from sqlalchemy import create_engine, text

from contracts import events
from models.interleaving import Interleaving, tally
from simulation.relevance import true_relevance
from simulation.run import SIMULATION_START, Simulation
from simulation.truth import load_truth
from storeloop.settings import Settings


class Truth:
    """Orders by the searching shopper's true relevance; told the query and the shopper by the
    service wrapper below, since rankers see feature rows only."""

    kind = "listnet"
    current: tuple[str, str | None] = ("", None)

    def __init__(self, version: str, settings: Settings, sign: float = 1.0) -> None:
        self.version, self.sign = version, sign
        self.truth = load_truth(settings)

    def score(self, rows: list[dict]) -> list[float]:
        query, customer = Truth.current
        shopper = self.truth.shoppers.get(customer or "")
        products = [self.truth.products.get(row["product_id"]) for row in rows]
        return [
            self.sign * (0 if p is None else true_relevance(shopper, p, query)) for p in products
        ]


def worse(version: str, settings: Settings) -> Truth:
    return Truth(version, settings, sign=-1.0)


def _telling_the_query(service: Any) -> None:
    search = service.search

    def told(query: Any, customer_id: str | None = None, *args: Any, **kwargs: Any) -> Any:
        Truth.current = (str(query), customer_id)
        return search(query, customer_id, *args, **kwargs)

    service.search = told


def _experiment(settings: Settings, champion: str, challenger: str) -> Interleaving:
    """`champion` and `challenger`: "better" or "worse"; versions 1 and 2."""
    from launch.consumers import run_all
    from launch.search_client import InProcessServing
    from transactional.bootstrap import bootstrap
    from transactional.common.clock import SimulatedClock

    store = bootstrap(settings, clock=SimulatedClock(SIMULATION_START))
    serving = InProcessServing(settings)
    try:
        simulation = Simulation(settings, store, serving, progress=False)
        simulation.open_store(on_listed=lambda: run_all(settings))
        made = {"better": Truth, "worse": worse}
        serving.search_service.ranker = made[champion]("1", settings)
        serving.search_service.challenger = made[challenger]("2", settings)
        serving.search_service.interleave_share = 1.0
        _telling_the_query(serving.search_service)
        simulation.run_days(0, 2, lambda *_: run_all(settings))
    finally:
        store.close()
    return _from_the_log(settings, "1", "2")


def _from_the_log(settings: Settings, champion: str, challenger: str) -> Interleaving:
    engine = create_engine(settings.db_url)
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT type, payload FROM outbox WHERE type IN (:s, :c)"),
            {"s": events.SEARCH_PERFORMED, "c": events.SEARCH_RESULT_CLICKED},
        ).all()
    engine.dispose()
    teams: dict[str, dict[int, str]] = defaultdict(dict)
    clicks: dict[str, list[int]] = defaultdict(list)
    for kind, raw in rows:
        payload = json.loads(raw)
        if kind == events.SEARCH_PERFORMED:
            for result in payload["results"]:
                teams[payload["search_id"]][result["position"]] = result["team"]
        else:
            clicks[payload["search_id"]].append(payload["position"])
    return tally(teams, clicks, {}, {}, champion, challenger)


def test_a_worse_challenger_loses_the_interleaving(tiny_settings: Settings) -> None:
    settings = tiny_settings.model_copy(update={"sim_shoppers": 150})
    result = _experiment(settings, "better", "worse")
    assert result.searches > 50
    assert result.verdict == "loss" and result.p_value < 0.05, result.summary()


def test_a_better_challenger_wins_the_interleaving(tiny_settings: Settings) -> None:
    settings = tiny_settings.model_copy(update={"sim_shoppers": 150})
    result = _experiment(settings, "worse", "better")
    assert result.verdict == "win" and result.p_value < 0.05, result.summary()
