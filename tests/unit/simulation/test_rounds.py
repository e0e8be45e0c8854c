"""Rounds of days in one process, against an in-memory fake store and a fake serving client
(conftest.py): a round continues where the last one stopped, and bad rounds are typed errors."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from simulation.errors import SimulationError, SimulationErrorCode
from simulation.run import Simulation
from simulation.tally import RoundReport
from storeloop.settings import Settings
from tests.unit.simulation.fake_shop import FakeServing, FakeStore


def _simulation(settings: Settings) -> tuple[Simulation, FakeStore]:
    store = FakeStore()
    simulation = Simulation(settings, store, FakeServing(settings, store), progress=False)
    simulation.open_store()
    return simulation, store


def _what_happened(store: FakeStore) -> list[Any]:
    front = store.storefront
    return [
        [(s["session_id"], s["query"], s["at"]) for s in front.searches.values()],
        [(r["session_id"], r["surface"], r["items"]) for r in front.lists.values()],
        front.clicks,
        front.list_clicks,
        store.cart.adds,
        [(o.customer_id, o.status, o.total) for o in store.orders.placed],
    ]


def test_rounds_carry_the_shop_over_as_one_long_round(small_settings: Settings) -> None:
    rounds, store = _simulation(small_settings)
    first = rounds.run_days(0, 1)
    second = rounds.run_days(1, 2)
    one_go, twin = _simulation(small_settings)
    whole = one_go.run_days(0, 3)
    # the same carts, sold-out list and random streams: the same sessions as in one go
    assert _what_happened(store) == _what_happened(twin)
    assert store.catalog.created == small_settings.sim_products  # listed once
    assert (first.first_day, first.last_day) == (date(2026, 11, 1), date(2026, 11, 1))
    assert (second.first_day, second.last_day, second.days) == (
        date(2026, 11, 2),
        date(2026, 11, 3),
        2,
    )
    assert first.sessions + second.sessions == whole.sessions
    assert first.searches + second.searches == whole.searches
    assert first.revenue + second.revenue == whole.revenue
    by_session = {s["session_id"] for s in store.storefront.searches.values()}
    assert len(by_session) == first.sessions + second.sessions  # one id per session, no repeat
    assert {sid.split("-")[2] for sid in by_session} == {"000", "001", "002"}


def test_a_round_may_skip_days_but_never_go_back(small_settings: Settings) -> None:
    simulation, store = _simulation(small_settings)
    ends: list[tuple[int, date]] = []
    simulation.run_days(0, 1, on_day_end=lambda day, on: ends.append((day, on)))
    later = simulation.run_days(3, 1, on_day_end=lambda day, on: ends.append((day, on)))
    assert ends == [(0, date(2026, 11, 1)), (3, date(2026, 11, 4))]
    assert later.first_day == later.last_day == date(2026, 11, 4)
    days_searched = {s["at"].date() for s in store.storefront.searches.values()}
    assert days_searched == {date(2026, 11, 1), date(2026, 11, 4)}
    with pytest.raises(SimulationError) as raised:
        simulation.run_days(3, 1)
    assert raised.value.code == SimulationErrorCode.DAY_ALREADY_RUN
    assert raised.value.field == "first_day"
    with pytest.raises(SimulationError) as raised:
        simulation.run_days(4, 0)
    assert (raised.value.code, raised.value.field) == (SimulationErrorCode.INVALID_ROUND, "days")


def test_the_store_is_opened_once_and_before_any_round(small_settings: Settings) -> None:
    store = FakeStore()
    simulation = Simulation(small_settings, store, FakeServing(small_settings, store))
    with pytest.raises(SimulationError) as raised:
        simulation.run_days(0, 1)
    assert raised.value.code == SimulationErrorCode.STORE_NOT_OPEN
    simulation.open_store()
    with pytest.raises(SimulationError) as raised:
        simulation.open_store()
    assert raised.value.code == SimulationErrorCode.STORE_ALREADY_OPEN
    again = Simulation(small_settings, store, FakeServing(small_settings, store))
    with pytest.raises(SimulationError) as raised:
        again.open_store()
    assert raised.value.code == SimulationErrorCode.STORE_NOT_EMPTY


def test_a_store_without_a_simulated_clock_is_refused(small_settings: Settings) -> None:
    store = FakeStore()
    store.clock = object()  # type: ignore[assignment]
    with pytest.raises(SimulationError) as raised:
        Simulation(small_settings, store, FakeServing(small_settings, store))
    assert raised.value.code == SimulationErrorCode.NO_SIMULATED_CLOCK


def test_a_rounds_report_is_plain_json_with_a_row_per_surface_and_model(
    small_settings: Settings,
) -> None:
    simulation, _ = _simulation(small_settings)
    report = simulation.run_days(0, 2)
    figures = json.loads(json.dumps(report.as_dict()))
    assert figures["first_day"] == "2026-11-01" and figures["days"] == 2
    assert figures["revenue"] == str(report.revenue)
    assert figures["rankers"] == ["ranker-3"] and figures["recommenders"] == ["7"]
    rows = {(row["surface"], row["model"]): row for row in figures["served"]}
    assert rows[("search", "ranker-3")]["shown"] == figures["searches"] > 0
    assert rows[("feed", "7")]["shown"] == figures["feeds"] > 0
    assert figures["clicks"] == sum(row["clicks"] for row in figures["served"])
    assert figures["cart_adds"] == sum(
        figures[f"{surface}_cart_adds"] for surface in ("search", "feed", "similar")
    )
    assert isinstance(report, RoundReport)
