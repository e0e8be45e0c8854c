"""`simulate()`: sellers list the catalog, shoppers register, then simulated days of sessions.

Seeded by `settings.seed`: the same settings drive the same sessions against a fresh store.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from simulation.behaviour import Shop, Tally, run_session
from simulation.catalog import generate_catalog
from simulation.errors import SimulationError, SimulationErrorCode
from simulation.sellers import generate_sellers
from simulation.shoppers import Shopper, generate_shoppers
from simulation.truth import save_truth
from storeloop.settings import Settings

SIMULATION_START = datetime(2026, 11, 1, tzinfo=UTC)
# share of a day's sessions by hour (UTC): quiet nights, a lunch bump, busy evenings
_HOURLY = np.array([1, 1, 1, 1, 1, 1, 2, 3, 4, 4, 4, 5, 6, 5, 4, 4, 5, 6, 8, 9, 9, 7, 4, 2], float)
_LAST_START_S = 23 * 3600 + 45 * 60
DAILY_RESTOCK_SHARE = 0.6  # of the sold-out products reported, restocked by the next morning


@dataclass(frozen=True)
class SimulationReport:
    products: int
    shoppers: int
    searches: int
    clicks: int
    cart_adds: int
    orders_placed: int
    orders_paid: int
    orders_declined: int
    out_of_stock: int
    first_day: date
    last_day: date

    def as_dict(self) -> dict[str, Any]:
        values = asdict(self)
        values["first_day"], values["last_day"] = str(self.first_day), str(self.last_day)
        return values


def simulate(
    settings: Settings,
    store: Any,
    search: Callable[[str, str | None], Any],
    on_day_end: Callable[[int, date], None] | None = None,
    *,
    on_listed: Callable[[], None] | None = None,
    progress: bool = True,
) -> SimulationReport:
    """Drives a fresh store through `settings.sim_days` days; `store.clock` must be simulated.

    `on_listed()` runs once the catalog is listed and shoppers registered, before the first
    session: the place to index the catalog so that day one's searches find it.
    """
    clock: Any = getattr(store, "clock", None)
    if not hasattr(clock, "set") or not hasattr(clock, "advance"):
        raise SimulationError(SimulationErrorCode.NO_SIMULATED_CLOCK, "need a simulated clock")
    if store.catalog.list_products(limit=1).items:
        raise SimulationError(SimulationErrorCode.STORE_NOT_EMPTY, "simulate needs a fresh store")
    clock.set(SIMULATION_START)
    catalog = generate_catalog(settings.sim_products, settings.seed)
    shoppers = generate_shoppers(settings.sim_shoppers, settings.seed)
    sellers = _list_catalog(store, catalog, settings)
    for shopper in shoppers:
        shopper.customer_id = store.users.register(shopper.name, shopper.email)
    save_truth(settings, catalog, shoppers)
    if on_listed is not None:
        on_listed()
    shop = Shop(store=store, search=search, products={p.product_id: p for p in catalog})
    rng = np.random.default_rng([settings.seed, 3])
    with _progress_bar(progress) as bar:
        task = bar.add_task("simulating", total=None)
        for day in range(settings.sim_days):
            day_start = SIMULATION_START + timedelta(days=day)
            clock.set(day_start + timedelta(hours=5))
            _restock(store, shop, sellers, rng)
            agenda = _day_agenda(shoppers, day_start, settings.sim_sessions_per_shopper_day, rng)
            bar.update(
                task,
                description=f"day {day + 1}/{settings.sim_days}",
                total=len(agenda),
                completed=0,
            )
            for number, (started_at, shopper) in enumerate(agenda):
                session_id = f"sess-{settings.seed}-{day:03d}-{number:06d}"
                run_session(shop, shopper, session_id, started_at, rng)
                bar.advance(task)
            clock.set(day_start + timedelta(hours=23, minutes=59, seconds=59))
            if on_day_end is not None:
                on_day_end(day, day_start.date())
    return _report(shop.tally, len(catalog), len(shoppers), settings.sim_days)


def _list_catalog(store: Any, catalog: list, settings: Settings) -> dict[str, str]:
    """Registers the sellers and lists every product; returns product_id -> seller_id."""
    seller_ids = [
        store.users.register(s.name, s.email, role="seller")
        for s in generate_sellers(settings.sim_products, settings.seed)
    ]
    owners = {}
    for spec in catalog:
        seller_id = seller_ids[spec.seller_index]
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
        owners[spec.product_id] = seller_id
    return owners


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


def _report(tally: Tally, products: int, shoppers: int, days: int) -> SimulationReport:
    return SimulationReport(
        products=products,
        shoppers=shoppers,
        **asdict(tally),
        first_day=SIMULATION_START.date(),
        last_day=(SIMULATION_START + timedelta(days=max(days, 1) - 1)).date(),
    )
