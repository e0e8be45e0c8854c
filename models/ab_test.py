"""The A/B test read back from the lake: shoppers split by a hash of their id (storeloop.arms)
into a control arm served without models and a models arm served the champions; per arm over
some days, with 95% bootstrap intervals of the models arm's difference (shoppers resampled
within each arm, the figure recomputed as a ratio of sums):

- revenue per shopper: paid orders' totals over the shoppers who saw any list in those days;
- conversion per search session: sessions with a search whose result went into a paid order,
  over sessions with a search;
- CTR@10 of search and of recommendations: clicks on the first 10 places per list shown.

Revenue per shopper is also given with CUPED (Deng et al., WSDM 2013) when the lake holds days
before the window: each shopper's revenue minus theta times their revenue before it (centred),
theta = cov / var over all shoppers of the test. The arms' means move by their pre-period
imbalance only, and the interval narrows by how much the past predicts the present.

A shopper's arm is the one their lists were logged with (a shopper logged with both is left
out: the split is broken for them).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np

from models.lake import silver_rows
from storeloop.arms import CONTROL, MODELS
from storeloop.settings import Settings

PAID = frozenset({"paid", "fulfilled", "shipped", "delivered"})
TOP = 10
RESAMPLES = 2_000
Figures = dict[str, tuple[float, float]]  # metric -> (numerator, denominator) of one shopper
METRICS = (
    "revenue_per_shopper",
    "conversion_per_search_session",
    "search_ctr_at_10",
    "recommendation_ctr_at_10",
)


@dataclass(frozen=True)
class Comparison:
    metric: str
    control: float
    models: float
    difference: float  # models - control
    low: float  # 95% bootstrap interval of the difference
    high: float
    lift: float  # difference / control (0 when control is 0)

    @property
    def beyond_noise(self) -> bool:
        return self.low > 0.0 or self.high < 0.0


@dataclass(frozen=True)
class ABTest:
    days: tuple[str, str]
    shoppers: dict[str, int]  # arm -> shoppers in the test these days
    comparisons: list[Comparison]

    def as_dict(self) -> dict[str, Any]:
        return {
            "days": list(self.days),
            "shoppers": self.shoppers,
            "comparisons": [asdict(c) | {"beyond_noise": c.beyond_noise} for c in self.comparisons],
        }


CUPED = "revenue_per_shopper_cuped"


def compare(
    arms: dict[str, str],
    figures: dict[str, Figures],
    seed: int = 0,
    metrics: tuple[str, ...] = METRICS,
) -> list[Comparison]:
    """Per metric, the two arms' ratios of sums and the bootstrap interval of their difference;
    `arms` maps shoppers to arms, `figures` shoppers to their (numerator, denominator)s."""
    rng = np.random.default_rng(seed)
    members = {arm: [s for s, a in arms.items() if a == arm] for arm in (CONTROL, MODELS)}
    found = []
    for metric in metrics:
        parts = {
            arm: np.array([figures.get(s, {}).get(metric, (0.0, 0.0)) for s in shoppers])
            .reshape(-1, 2)
            for arm, shoppers in members.items()
        }  # fmt: skip
        point = {arm: _ratio(p[:, 0].sum(), p[:, 1].sum()) for arm, p in parts.items()}
        resampled = {arm: _resampled(p, rng) for arm, p in parts.items()}
        differences = resampled[MODELS] - resampled[CONTROL]
        low, high = np.quantile(differences, [0.025, 0.975]) if len(differences) else (0.0, 0.0)
        difference = point[MODELS] - point[CONTROL]
        lift = difference / point[CONTROL] if point[CONTROL] else 0.0
        found.append(
            Comparison(
                metric, point[CONTROL], point[MODELS], difference, float(low), float(high), lift
            )  # fmt: skip
        )
    return found


def _ratio(numerator: float, denominator: float) -> float:
    return float(numerator / denominator) if denominator else 0.0


def _resampled(parts: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    if len(parts) == 0:
        return np.zeros(RESAMPLES)
    picks = rng.integers(0, len(parts), size=(RESAMPLES, len(parts)))
    sums = parts[picks].sum(axis=1)
    return np.divide(sums[:, 0], sums[:, 1], out=np.zeros(RESAMPLES), where=sums[:, 1] > 0)


def measure(settings: Settings, first_day: str, last_day: str) -> ABTest:
    """The test over the days `[first_day, last_day]` (ISO dates) as silver holds them."""
    days = (first_day, last_day)

    def rows(table: str, *columns: str) -> list[tuple]:
        return list(silver_rows(settings, table, list(columns), days))

    searched = rows("search_impressions", "search_id", "customer_id", "session_id", "arm")
    shown = rows("recommendation_impressions", "recommendation_id", "customer_id", "arm")
    orders = rows("orders", "order_id", "customer_id", "status", "total")
    arms = _arms([(c, a) for _, c, _, a in searched] + [(c, a) for _, c, a in shown])
    figures: dict[str, Figures] = defaultdict(dict)

    def add(shopper: Any, metric: str, numerator: float, denominator: float) -> None:
        if shopper in arms:
            old = figures[shopper].get(metric, (0.0, 0.0))
            figures[shopper][metric] = (old[0] + numerator, old[1] + denominator)

    for shopper in arms:
        add(shopper, "revenue_per_shopper", 0.0, 1.0)
    paid = {order for order, _, status, _ in orders if status in PAID}
    for order, shopper, _, total in orders:
        if order in paid:
            add(shopper, "revenue_per_shopper", float(total or 0.0), 0.0)
    searches = {search: (shopper, session) for search, shopper, session, _ in searched}
    _ctr(add, searches, rows("clicks", "search_id", "position"), "search_ctr_at_10")
    lists = {listed: (shopper, None) for listed, shopper, _ in shown}
    clicked = rows("recommendation_clicks", "recommendation_id", "position")
    _ctr(add, lists, clicked, "recommendation_ctr_at_10")
    _conversion(add, searches, paid, rows("order_items", "order_id", "search_id"))
    before = (date.fromisoformat(first_day) - timedelta(days=1)).isoformat()
    earlier = silver_rows(settings, "orders", ["customer_id", "status", "total"], ("", before))
    metrics = METRICS + ((CUPED,) if _cuped(figures, earlier) else ())
    counts = {arm: sum(1 for a in arms.values() if a == arm) for arm in (CONTROL, MODELS)}
    return ABTest(days, counts, compare(arms, figures, settings.seed, metrics))


def _cuped(figures: dict[str, Figures], earlier: Any) -> bool:
    """Adds the CUPED-adjusted revenue to every shopper's figures; False when the lake holds
    no revenue before the window (nothing to adjust with)."""
    past: dict[str, float] = defaultdict(float)
    for shopper, status, total in earlier:
        if status in PAID and shopper in figures:
            past[shopper] += float(total or 0.0)
    shoppers = list(figures)
    x = np.array([past.get(s, 0.0) for s in shoppers])
    y = np.array([figures[s].get("revenue_per_shopper", (0.0, 1.0))[0] for s in shoppers])
    if len(shoppers) < 2 or x.var() == 0:
        return False
    theta = float(np.cov(y, x)[0, 1] / x.var(ddof=1))
    for shopper, adjusted in zip(shoppers, y - theta * (x - x.mean()), strict=True):
        figures[shopper][CUPED] = (float(adjusted), 1.0)
    return True


Add = Callable[[Any, str, float, float], None]


def _arms(logged: list[tuple]) -> dict[str, str]:
    seen: dict[str, set[str]] = defaultdict(set)
    for shopper, arm in logged:
        if shopper and arm in (CONTROL, MODELS):
            seen[shopper].add(arm)
    return {shopper: next(iter(a)) for shopper, a in seen.items() if len(a) == 1}


def _ctr(add: Add, lists: dict[str, tuple], clicks: list[tuple], metric: str) -> None:
    for shopper, _ in lists.values():
        add(shopper, metric, 0.0, 1.0)
    for list_id, position in clicks:
        if list_id in lists and position is not None and int(position) <= TOP:
            add(lists[list_id][0], metric, 1.0, 0.0)


def _conversion(add: Add, searches: dict[str, tuple], paid: set[str], lines: list[tuple]) -> None:
    """`searches`: search id -> (shopper, session); `lines`: (order id, search id)."""
    sessions = {(shopper, session) for shopper, session in searches.values()}
    for shopper, _ in sessions:
        add(shopper, "conversion_per_search_session", 0.0, 1.0)
    converted = {
        searches[search_id] for order, search_id in lines if order in paid and search_id in searches
    }
    for shopper, _ in converted:
        add(shopper, "conversion_per_search_session", 1.0, 0.0)
