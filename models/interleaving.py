"""What an interleaving experiment says, read back from the lake: each interleaved search is won
by the ranker whose team earned more there (a tie when as much, or nothing); the challenger wins
the experiment when it won more searches than it lost and a sign test over those searches gives
p < 0.05. A team earns its clicks, as in the published method, plus what the store counts an
order for (models.ranker.worth): the ranker's revenue weight times each ordered line's value
over the mean price of the list it was ordered from. With no weight, clicks alone decide.

Silver `search_impressions` names each interleaved result's team (a ranker version; none on a
result both rankers agreed on, whose clicks credit neither); `clicks` and `order_items` join on
the search id.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any, Literal

from models.lake import silver_rows
from storeloop.settings import Settings

SIGNIFICANCE = 0.05
Verdict = Literal["win", "loss", "inconclusive"]
Outcome = Literal["win", "loss", "tie"]


def credit(teams: Mapping[int, str], clicked: Iterable[int]) -> Counter[str]:
    """Clicks per team of one interleaved list; `teams` maps positions to the team that placed
    them. A click on a position without a team (beyond the drafted head) credits nobody."""
    return Counter(teams[p] for p in set(clicked) if p in teams)


def outcome(credited: Mapping[str, float], challenger: str, champion: str) -> Outcome:
    """The challenger's result on one search."""
    mine, theirs = credited.get(challenger, 0), credited.get(champion, 0)
    return "win" if mine > theirs else "loss" if theirs > mine else "tie"


EXACT_UP_TO = 1_000  # beyond, the normal approximation is off by less than 1e-4


def sign_test(wins: int, losses: int) -> float:
    """Two-sided binomial test of wins against losses at 1/2 (ties left out): exact up to
    EXACT_UP_TO decisive searches, then the normal approximation with continuity correction."""
    n = wins + losses
    if n == 0:
        return 1.0
    fewer = min(wins, losses)
    if n > EXACT_UP_TO:
        z = (n / 2 - fewer - 0.5) / math.sqrt(n / 4)
        return min(1.0, math.erfc(z / math.sqrt(2)))
    tail = sum(math.comb(n, i) for i in range(fewer + 1))
    return min(1.0, 2 * tail / 2**n)


@dataclass(frozen=True)
class Interleaving:
    champion: str
    challenger: str
    searches: int  # interleaved searches of this pair
    wins: int  # the challenger's, by clicks
    losses: int
    ties: int  # clicked searches with as many clicks for each team
    challenger_clicks: int
    champion_clicks: int
    challenger_orders: int  # order lines credited to a result the challenger placed
    champion_orders: int
    p_value: float
    # Those lines' value over their lists' mean prices (what the revenue weight multiplies).
    challenger_value: float = 0.0
    champion_value: float = 0.0

    @property
    def verdict(self) -> Verdict:
        if self.p_value < SIGNIFICANCE and self.wins != self.losses:
            return "win" if self.wins > self.losses else "loss"
        return "inconclusive"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self) | {"verdict": self.verdict}

    def summary(self) -> str:
        return (
            f"interleaving v{self.challenger} vs v{self.champion}: {self.wins} wins, "
            f"{self.losses} losses, {self.ties} ties over {self.searches} searches "
            f"(sign test p={self.p_value:.4f}): {self.verdict}"
        )


def tally(
    teams_by_search: Mapping[str, Mapping[int, str]],
    clicks_by_search: Mapping[str, Iterable[int]],
    orders_by_search: Mapping[str, Iterable[str]],
    products_by_search: Mapping[str, Mapping[str, str]],
    champion: str,
    challenger: str,
    values_by_search: Mapping[str, Mapping[str, float]] | None = None,
    revenue_weight: float = 0.0,
) -> Interleaving:
    """The experiment of `challenger` against `champion` over the searches whose teams are
    exactly those two (`products_by_search` maps product ids to teams, for order credit;
    `values_by_search` each ordered product's value over its list's mean price, 1 if missing)."""
    results: Counter[str] = Counter()
    clicks: Counter[str] = Counter()
    orders: Counter[str] = Counter()
    values: defaultdict[str, float] = defaultdict(float)
    searches = 0
    for search_id, teams in teams_by_search.items():
        if set(teams.values()) != {champion, challenger}:
            continue
        searches += 1
        credited = credit(teams, clicks_by_search.get(search_id, ()))
        clicks.update(credited)
        placed = products_by_search.get(search_id, {})
        ordered = [p for p in orders_by_search.get(search_id, ()) if p in placed]
        orders.update(placed[p] for p in ordered)
        value_of = (values_by_search or {}).get(search_id, {})
        earned: defaultdict[str, float] = defaultdict(float)
        for product in set(ordered):
            earned[placed[product]] += value_of.get(product, 1.0)
            values[placed[product]] += value_of.get(product, 1.0)
        if credited:
            worth = {team: n + revenue_weight * earned[team] for team, n in credited.items()}
            results[outcome(worth, challenger, champion)] += 1
    return Interleaving(
        champion, challenger, searches, results["win"], results["loss"], results["tie"],
        clicks[challenger], clicks[champion], orders[challenger], orders[champion],
        sign_test(results["win"], results["loss"]), values[challenger], values[champion],
    )  # fmt: skip


def from_log(
    searches: Iterable[Mapping[str, Any]], clicks: Iterable[Mapping[str, Any]]
) -> tuple[dict[str, dict[int, str]], dict[str, list[int]]]:
    """Teams by position and clicked positions of each interleaved search, from the store's
    SearchPerformed and SearchResultClicked payloads (before the lake has them)."""
    teams: dict[str, dict[int, str]] = {}
    for search in searches:
        placed = {int(r["position"]): r["team"] for r in search["results"] if r.get("team")}
        if placed:
            teams[search["search_id"]] = placed
    clicked: dict[str, list[int]] = defaultdict(list)
    for click in clicks:
        if click["search_id"] in teams:
            clicked[click["search_id"]].append(int(click["position"]))
    return teams, clicked


def measure(settings: Settings, champion: str, challenger: str) -> Interleaving:
    """The experiment as the lake's silver tables hold it; an order line's value is over the
    mean catalog price of the results of its search."""
    teams: dict[str, dict[int, str]] = defaultdict(dict)
    products: dict[str, dict[str, str]] = defaultdict(dict)
    listed: dict[str, list[str]] = defaultdict(list)
    columns = ["search_id", "position", "product_id", "team"]
    shown = silver_rows(settings, "search_impressions", columns)
    for search_id, position, product_id, team in shown:
        listed[search_id].append(product_id)
        if team in (champion, challenger):
            teams[search_id][int(position)] = team
            products[search_id][product_id] = team
    clicks: dict[str, list[int]] = defaultdict(list)
    for search_id, position in silver_rows(settings, "clicks", ["search_id", "position"]):
        if search_id in teams:
            clicks[search_id].append(int(position))
    orders: dict[str, list[str]] = defaultdict(list)
    for search_id, product_id in silver_rows(settings, "order_items", ["search_id", "product_id"]):
        if search_id in teams:
            orders[search_id].append(product_id)
    earned: defaultdict[str, defaultdict[str, float]] = defaultdict(lambda: defaultdict(float))
    columns = ["search_id", "product_id", "line_total"]
    for search_id, product_id, line_total in silver_rows(settings, "order_items", columns):
        if search_id in teams:
            earned[search_id][product_id] += float(line_total)
    prices = {
        p: float(price) for p, price in silver_rows(settings, "products", ["product_id", "price"])
    }
    values: dict[str, dict[str, float]] = {}
    for search_id, lines in earned.items():
        known = [prices[p] for p in listed[search_id] if p in prices]
        mean = sum(known) / len(known) if known else 0.0
        if mean > 0:
            values[search_id] = {p: total / mean for p, total in lines.items()}
    return tally(
        teams, clicks, orders, products, champion, challenger, values,
        settings.ranker_revenue_weight,
    )  # fmt: skip
