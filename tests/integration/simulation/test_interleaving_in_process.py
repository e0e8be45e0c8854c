"""Interleaving with the real store (SQLite), the real search service in-process and the
simulator's shoppers: a deliberately worse ranker loses the experiment, a better one wins it,
judged from the events the store logged (the teams of each result and the clicks).

The rankers here peek at the hidden truth (a test may; a model never does): one orders by true
relevance, the other by its opposite, so which is better is known without asking the clicks."""

from __future__ import annotations

import sys

from consumers.feed import OutboxFeed
from contracts import events
from models.interleaving import Interleaving, from_log, tally
from simulation.ideal import IdealOrder, telling
from simulation.run import SIMULATION_START, Simulation
from storeloop.settings import Settings


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
        sign = {"better": 1.0, "worse": -1.0}
        rankers = (
            IdealOrder(settings, "1", sign[champion]),
            IdealOrder(settings, "2", sign[challenger]),
        )
        service = serving.search_service
        service.ranker, service.challenger = rankers
        service.interleave_share = 1.0
        telling(service, *rankers)
        simulation.run_days(0, 2, lambda *_: run_all(settings))
    finally:
        store.close()
    return _from_the_log(settings, "1", "2")


def _from_the_log(settings: Settings, champion: str, challenger: str) -> Interleaving:
    logged = OutboxFeed(settings.db_url).read(0, sys.maxsize)
    teams, clicks = from_log(
        (e.payload for e in logged if e.type == events.SEARCH_PERFORMED),
        (e.payload for e in logged if e.type == events.SEARCH_RESULT_CLICKED),
    )
    return tally(teams, clicks, {}, {}, champion, challenger)


def test_a_worse_challenger_loses_the_interleaving(tiny_settings: Settings) -> None:
    settings = tiny_settings.model_copy(update={"sim_shoppers": 300})
    result = _experiment(settings, "better", "worse")
    assert result.searches > 50
    assert result.verdict == "loss" and result.p_value < 0.05, result.summary()


def test_a_better_challenger_wins_the_interleaving(tiny_settings: Settings) -> None:
    settings = tiny_settings.model_copy(update={"sim_shoppers": 300})
    result = _experiment(settings, "worse", "better")
    assert result.verdict == "win" and result.p_value < 0.05, result.summary()
