"""The shop over simulated days: sellers list the catalog and shoppers register once
(`Simulation.open_store`), then rounds of days (`Simulation.run_days`), each served by whatever
serving answers then; `simulate()` is the one-shot of both.

Seeded by `settings.seed`: the same settings and the same responses drive the same sessions.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from simulation.behaviour import run_session
from simulation.catalog import families, generate_catalog, option_names
from simulation.errors import SimulationError, SimulationErrorCode
from simulation.sellers import generate_sellers
from simulation.serving_client import as_serving_client
from simulation.shop import Shop, Streams
from simulation.shoppers import Shopper, generate_shoppers
from simulation.tally import RoundReport, Tally
from simulation.truth import load_truth, save_truth
from storeloop.settings import Settings

SIMULATION_START = datetime(2026, 11, 1, tzinfo=UTC)
# share of a day's sessions by hour (UTC): quiet nights, a lunch bump, busy evenings
_HOURLY = np.array([1, 1, 1, 1, 1, 1, 2, 3, 4, 4, 4, 5, 6, 5, 4, 4, 5, 6, 8, 9, 9, 7, 4, 2], float)
_LAST_START_S = 23 * 3600 + 45 * 60
DAILY_RESTOCK_SHARE = 0.6  # of the sold-out products reported, restocked by the next morning
SimulationReport = RoundReport  # what `simulate` has always returned, by its old name
DayEnd = Callable[[int, date], object]  # what it returns is ignored


class Simulation:
    """One shop across rounds in one process: carts, the sold-out list and the random streams
    carry over from one `run_days` to the next, so a round continues where the last one stopped.

    `serving` is a serving client (`search`, `feed`, `similar`) or a bare `search(query,
    customer_id)` callable (then no recommendations are shown); `store.clock` must be simulated.
    """

    def __init__(
        self, settings: Settings, store: Any, serving: Any, *, progress: bool = True
    ) -> None:
        clock: Any = getattr(store, "clock", None)
        if not hasattr(clock, "set") or not hasattr(clock, "advance"):
            raise SimulationError(SimulationErrorCode.NO_SIMULATED_CLOCK, "need a simulated clock")
        self.settings, self.store, self.clock = settings, store, clock
        self.serving = as_serving_client(serving)
        self.progress = progress
        self.streams = Streams.seeded(settings.seed)
        self.shop: Shop | None = None
        self.shoppers: list[Shopper] = []
        self.sellers: dict[str, str] = {}  # product_id -> seller_id
        self.next_day = 0  # the first day a round may start on: days never run twice

    def open_store(self, on_listed: Callable[[], object] | None = None) -> None:
        """Sellers list the catalog, shoppers register, the hidden truth is saved: once per data
        dir. `on_listed()` runs before the first session: the place to index the catalog."""
        if self.shop is not None:
            raise SimulationError(SimulationErrorCode.STORE_ALREADY_OPEN, "the store is open")
        if self.store.catalog.list_products(limit=1).items:
            raise SimulationError(SimulationErrorCode.STORE_NOT_EMPTY, "need a fresh store")
        settings = self.settings
        self.clock.set(SIMULATION_START)
        catalog = generate_catalog(settings.sim_products, settings.seed)
        self.shoppers = generate_shoppers(settings.sim_shoppers, settings.seed)
        self.sellers = _list_catalog(self.store, catalog, settings)
        for shopper in self.shoppers:
            shopper.customer_id = self.store.users.register(shopper.name, shopper.email)
        save_truth(settings, catalog, self.shoppers)
        if on_listed is not None:
            on_listed()
        products = {p.product_id: p for p in catalog}
        self.shop = Shop(store=self.store, serving=self.serving, products=products)

    def reopen_store(self, next_day: int) -> None:
        """A data dir kept from an earlier run (`make up --keep`): the catalog and the shoppers
        come back from its saved truth and days continue at `next_day`. Carts and the sold-out
        list lived in that run's memory, so they start empty here."""
        if self.shop is not None:
            raise SimulationError(SimulationErrorCode.STORE_ALREADY_OPEN, "the store is open")
        truth = load_truth(self.settings)
        self.shoppers = sorted(truth.shoppers.values(), key=lambda shopper: shopper.index)
        # restocking needs only to know which products the sellers list
        self.sellers = {product_id: "" for product_id in truth.products}
        self.shop = Shop(store=self.store, serving=self.serving, products=truth.products)
        # other draws than the first run's days: a kept store does not relive its first day
        self.streams = Streams.seeded(self.settings.seed + 1_000 * next_day)
        self.next_day = next_day

    def run_days(self, first_day: int, days: int, on_day_end: DayEnd | None = None) -> RoundReport:
        """Days `first_day` .. `first_day + days - 1` (day d is SIMULATION_START + d days);
        `on_day_end(day, date)` runs after each. The report counts this round only."""
        shop = self._open_shop()
        if days < 1:
            raise SimulationError(SimulationErrorCode.INVALID_ROUND, "days must be >= 1", "days")
        if first_day < self.next_day:
            raise SimulationError(
                SimulationErrorCode.DAY_ALREADY_RUN,
                f"day {first_day} is before day {self.next_day}, the first not yet run",
                "first_day",
            )
        shop.tally = Tally()
        last_day = first_day + days - 1
        with _progress_bar(self.progress) as bar:
            task = bar.add_task("simulating", total=None)
            for day in range(first_day, last_day + 1):
                agenda = self._start_day(shop, day)
                label = f"day {day + 1} ({day - first_day + 1}/{days} of this round)"
                bar.update(task, description=label, total=len(agenda), completed=0)
                for number, (started_at, shopper) in enumerate(agenda):
                    # the day index runs on across rounds: session ids never repeat
                    session_id = f"sess-{self.settings.seed}-{day:03d}-{number:06d}"
                    run_session(shop, shopper, session_id, started_at, self.streams)
                    bar.advance(task)
                self.clock.set(_day_start(day) + timedelta(hours=23, minutes=59, seconds=59))
                self.next_day = day + 1
                if on_day_end is not None:
                    on_day_end(day, _day_start(day).date())
        return shop.tally.report(
            _day_start(first_day).date(),
            _day_start(last_day).date(),
            products=len(shop.products),
            shoppers=len(self.shoppers),
        )

    def _open_shop(self) -> Shop:
        if self.shop is None:
            raise SimulationError(SimulationErrorCode.STORE_NOT_OPEN, "open_store() first")
        return self.shop

    def _start_day(self, shop: Shop, day: int) -> list[tuple[datetime, Shopper]]:
        """The morning: sellers restock, and the day's sessions are drawn."""
        rng = self.streams.main
        self.clock.set(_day_start(day) + timedelta(hours=5))
        _restock(self.store, shop, self.sellers, rng)
        rate = self.settings.sim_sessions_per_shopper_day
        return _day_agenda(self.shoppers, _day_start(day), rate, rng)


def _day_start(day: int) -> datetime:
    return SIMULATION_START + timedelta(days=day)


def simulate(
    settings: Settings,
    store: Any,
    search: Any,
    on_day_end: DayEnd | None = None,
    *,
    on_listed: Callable[[], object] | None = None,
    progress: bool = True,
) -> RoundReport:
    """Drives a fresh store through `settings.sim_days` days in one round.

    `search` is a serving client or a bare `search(query, customer_id)` callable (see
    `Simulation`); `on_listed()` runs once the catalog is listed and shoppers registered."""
    simulation = Simulation(settings, store, search, progress=progress)
    simulation.open_store(on_listed)
    return simulation.run_days(0, settings.sim_days, on_day_end)


def _list_catalog(store: Any, catalog: list, settings: Settings) -> dict[str, str]:
    """Registers the sellers and lists every product, a family's parent with its variants in
    one call; returns product_id -> seller_id of every SKU (never a parent: nothing to restock)."""
    seller_ids = [
        store.users.register(s.name, s.email, role="seller")
        for s in generate_sellers(settings.sim_products, settings.seed)
    ]
    owners = {}
    grouped = families(catalog)
    for spec in catalog:
        seller_id = seller_ids[spec.seller_index]
        owners[spec.product_id] = seller_id
        if spec.family_id:
            if grouped[spec.family_id][0] is spec:
                _list_family(store, seller_id, grouped[spec.family_id])
            continue
        store.catalog.create_product(
            seller_id,
            spec.title,
            spec.description,
            spec.brand,
            spec.category,
            spec.price,
            rating=spec.rating,
            rating_count=spec.rating_count,
            image_url=spec.image_url,
            initial_stock=spec.initial_stock,
            product_id=spec.product_id,
        )
    return owners


def _list_family(store: Any, seller_id: str, variants: list) -> None:
    first = variants[0]
    store.catalog.create_product(
        seller_id,
        first.family_title,
        first.description,
        first.brand,
        first.category,
        None,  # the cheapest variant's
        rating=first.rating,
        rating_count=first.rating_count,
        image_url=f"https://img.example.com/{first.family_id}.jpg",
        product_id=first.family_id,
        options=option_names(first),
        variants=[
            {
                "options": dict(v.options),
                "price": v.price,
                "stock": v.initial_stock,
                "product_id": v.product_id,
                "title": v.title,
                "image_url": v.image_url,
            }
            for v in variants
        ],
    )


def _restock(store: Any, shop: Shop, sellers: dict[str, str], rng: np.random.Generator) -> None:
    """Sellers refill part of what shoppers found sold out; the rest stays out for a while."""
    for product_id in sorted(shop.sold_out):
        if product_id in sellers and rng.random() < DAILY_RESTOCK_SHARE:
            store.inventory.restock(product_id, int(rng.integers(10, 60)))
            shop.sold_out.discard(product_id)


def _day_agenda(
    shoppers: list[Shopper], day_start: datetime, rate: float, rng: np.random.Generator
) -> list[tuple[datetime, Shopper]]:
    counts = rng.poisson(rate * np.array([s.activity for s in shoppers]))
    who = np.repeat(np.arange(len(shoppers)), counts)
    hours = rng.choice(24, size=len(who), p=_HOURLY / _HOURLY.sum())
    # the last hour stops at 23:45 so that every session ends within its own day
    seconds = np.minimum(hours * 3600 + rng.integers(0, 3600, size=len(who)), _LAST_START_S)
    order = np.argsort(seconds, kind="stable")
    return [(day_start + timedelta(seconds=int(seconds[i])), shoppers[int(who[i])]) for i in order]


def _progress_bar(enabled: bool) -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        disable=not enabled,
    )
