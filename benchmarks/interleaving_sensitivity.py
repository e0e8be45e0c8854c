"""Sensitivity, the reason to interleave: how many search sessions interleaving needs to tell two
rankers apart at p < 0.05, against an A/B test of the same pair on the same shoppers (the
reference, measured in the same run).

Three pairs, each against index order (the incumbent): the same candidates by rating (a
plausible alternative a store might try); the same candidates with the first ten shuffled (a
ranker that has lost the index's order at the top); and the ideal order, by the searching
shopper's hidden true relevance (a yardstick: no model can see it, the benchmark may). For each
pair the simulator runs the same shoppers twice from the same seed through the real store and
the real search service in-process: once with every logged-in search a team draft of the two,
once split by hashed shopper id (control arm: index order; models arm: the other). From the
logged events, per search session:

- interleaving: the session goes to the ranker whose team drew more of its clicks (a session
  without a credited click is a tie); sign test;
- A/B: clicks on the first 10 results per session, two-sided Welch z-test between the arms.

Sessions needed: the smallest sample (in whole search sessions, both arms together for A/B)
at which 80% of random resamples reach p < 0.05 in the true direction.

    .venv/bin/python -m benchmarks.interleaving_sensitivity [--products 2000] [--shoppers 800]
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.measure import machine
from benchmarks.reports import headline, write_report
from consumers.feed import OutboxFeed
from contracts import events
from contracts.events import Event
from models.interleaving import credit, from_log, sign_test
from simulation.ideal import IdealOrder, telling
from storeloop.settings import Settings

GOAL = "interleaving needs at least 10x fewer search sessions than A/B for p < 0.05"
POWER = 0.8
RESAMPLES = 200


class IndexOrder:
    kind = "neural"
    version = "1"

    def score(self, rows: list[dict]) -> list[float]:
        return [row["index_score"] for row in rows]


class ByRating(IndexOrder):
    version = "2"

    def score(self, rows: list[dict]) -> list[float]:
        return [row["rating"] + 1e-3 * row["index_score"] for row in rows]


class ShuffledTop(IndexOrder):
    version = "2"

    def __init__(self, seed: int) -> None:
        self.rng = np.random.default_rng(seed)

    def score(self, rows: list[dict]) -> list[float]:
        scores = [row["index_score"] for row in rows]
        top = sorted(range(len(rows)), key=lambda i: -scores[i])[:10]
        drawn = self.rng.permutation(len(top))
        best = max(scores, default=0.0) + 1.0
        for rank, i in zip(drawn, top, strict=True):
            scores[i] = best + float(len(top) - rank)
        return scores


# name -> the challenger, made once the store is open (the ideal order reads the hidden truth)
PAIRS: dict[str, Callable[[Settings, int], Any]] = {
    "by_rating": lambda settings, seed: ByRating(),
    "shuffled_top_10": lambda settings, seed: ShuffledTop(seed),
    "ideal_order": lambda settings, seed: IdealOrder(settings, ByRating.version),
}


def shop(settings: Settings, days: int, interleave: bool, pair: str) -> list[Event]:
    """One simulation; returns the store's log."""
    from launch.consumers import run_all
    from launch.search_client import InProcessServing
    from simulation.run import SIMULATION_START, Simulation
    from transactional.bootstrap import bootstrap
    from transactional.common.clock import SimulatedClock

    store = bootstrap(settings, clock=SimulatedClock(SIMULATION_START))
    serving = InProcessServing(settings)
    search = serving.search_service
    # Neither ranker reads Feast, and no Feast repo is applied here: no online reads to warn about.
    search.features = serving.recommendations.features = None
    try:
        simulation = Simulation(settings, store, serving, progress=True)
        simulation.open_store(on_listed=lambda: run_all(settings))
        challenger = PAIRS[pair](settings, settings.seed)
        if isinstance(challenger, IdealOrder):
            telling(search, challenger)
        if interleave:
            search.ranker, search.challenger, search.interleave_share = IndexOrder(), challenger, 1
        else:  # the control arm is served index order by the service itself
            search.ranker, search.challenger = challenger, None
        simulation.run_days(0, days, lambda *_: run_all(settings))
    finally:
        store.close()
    return OutboxFeed(settings.db_url).read(0, sys.maxsize)


def interleaved_sessions(logged: list[Event]) -> np.ndarray:
    """Per interleaved search session: +1 the challenger won, -1 lost, 0 a tie (no credited
    click counts as a tie: the session was spent all the same)."""
    searches = [e.payload for e in logged if e.type == events.SEARCH_PERFORMED]
    teams, clicks = from_log(
        searches, (e.payload for e in logged if e.type == events.SEARCH_RESULT_CLICKED)
    )
    by_session: dict[str, Counter[str]] = {}
    for search in searches:
        if search["search_id"] in teams:
            credited = credit(teams[search["search_id"]], clicks.get(search["search_id"], ()))
            by_session.setdefault(search["session_id"], Counter()).update(credited)
    challenger, champion = ByRating.version, IndexOrder.version
    return np.array([np.sign(c[challenger] - c[champion]) for c in by_session.values()])


def ab_sessions(logged: list[Event]) -> dict[str, np.ndarray]:
    """Clicks on the first 10 results per search session, by arm."""
    arm_of: dict[str, str] = {}
    session_of: dict[str, str] = {}
    clicks: dict[str, int] = defaultdict(int)
    for event in logged:
        payload = event.payload
        if event.type == events.SEARCH_PERFORMED and payload.get("arm"):
            session_of[payload["search_id"]] = payload["session_id"]
            arm_of[payload["session_id"]] = payload["arm"]
            clicks[payload["session_id"]] += 0
    for event in logged:
        search = event.payload.get("search_id")
        clicked = event.type == events.SEARCH_RESULT_CLICKED
        top = clicked and event.payload.get("position", 99) <= 10
        if top and search in session_of:
            clicks[session_of[search]] += 1
    by_arm: dict[str, list[int]] = defaultdict(list)
    for session, count in clicks.items():
        by_arm[arm_of[session]].append(count)
    return {arm: np.array(values, dtype=float) for arm, values in by_arm.items()}


def welch_p(a: np.ndarray, b: np.ndarray) -> float:
    if len(a) < 2 or len(b) < 2:
        return 1.0
    se = math.sqrt(a.var(ddof=1) / len(a) + b.var(ddof=1) / len(b))
    if se == 0:
        return 1.0
    z = abs(a.mean() - b.mean()) / se
    return math.erfc(z / math.sqrt(2))


def power_interleaving(outcomes: np.ndarray, n: int, rng: np.random.Generator) -> float:
    direction = np.sign(outcomes.sum())
    hits = 0
    for _ in range(RESAMPLES):
        drawn = rng.choice(outcomes, size=n)
        wins, losses = int((drawn > 0).sum()), int((drawn < 0).sum())
        hits += sign_test(wins, losses) < 0.05 and np.sign(wins - losses) == direction
    return hits / RESAMPLES


def power_ab(arms: dict[str, np.ndarray], n: int, rng: np.random.Generator) -> float:
    control, models = arms["control"], arms["models"]
    direction = np.sign(models.mean() - control.mean())
    hits = 0
    for _ in range(RESAMPLES):
        a, b = rng.choice(control, size=n // 2), rng.choice(models, size=n - n // 2)
        hits += welch_p(b, a) < 0.05 and np.sign(b.mean() - a.mean()) == direction
    return hits / RESAMPLES


def sessions_needed(power_at: Any, most: int) -> int | None:
    """The smallest n on a doubling-then-bisecting search with power >= POWER, if <= most."""
    low, n = 0, 25
    while n <= most and power_at(n) < POWER:
        low, n = n, n * 2
    if n > most:
        return None
    while n - low > max(5, n // 20):
        middle = (low + n) // 2
        low, n = (low, middle) if power_at(middle) >= POWER else (middle, n)
    return n


def analytic_ab(arms: dict[str, np.ndarray]) -> float:
    """Sessions (both arms) for 80% power at alpha 0.05 from the observed means and variances."""
    control, models = arms["control"], arms["models"]
    delta = models.mean() - control.mean()
    variance = (control.var(ddof=1) + models.var(ddof=1)) / 2
    return 2 * 2 * (1.96 + 0.8416) ** 2 * variance / delta**2 if delta else float("inf")


def measure_pair(args: argparse.Namespace, name: str, root: Path) -> dict[str, Any]:
    logged = {}
    for kind, interleave, control in (("interleaving", True, 0.0), ("ab", False, 0.5)):
        settings = Settings(
            data_dir=root / name / kind, sim_products=args.products, sim_shoppers=args.shoppers,
            seed=args.seed, control_share=control,
        )  # fmt: skip
        settings.ensure_dirs()
        print(f"{name}: {args.shoppers} shoppers for {args.days} days ({kind})", flush=True)
        logged[kind] = shop(settings, args.days, interleave, name)
    outcomes = interleaved_sessions(logged["interleaving"])
    arms = ab_sessions(logged["ab"])
    rng = np.random.default_rng(args.seed)
    wins, losses = int((outcomes > 0).sum()), int((outcomes < 0).sum())
    most = 64 * max(len(outcomes), sum(len(v) for v in arms.values()))
    interleaving_n = sessions_needed(lambda n: power_interleaving(outcomes, n, rng), most)
    ab_n = sessions_needed(lambda n: power_ab(arms, n, rng), most)
    return {
        "interleaving": {
            "sessions": len(outcomes), "challenger_wins": wins, "challenger_losses": losses,
            "ties": int((outcomes == 0).sum()), "p_value": round(sign_test(wins, losses), 4),
            "sessions_needed_80pct_power": interleaving_n,
        },
        "ab_reference": {
            "sessions": {arm: len(v) for arm, v in arms.items()},
            "clicks_at_10_per_session": {arm: round(float(v.mean()), 4) for arm, v in arms.items()},
            "p_value": round(welch_p(arms["models"], arms["control"]), 4),
            "sessions_needed_80pct_power": ab_n,
            "sessions_needed_analytic": round(analytic_ab(arms)),
        },
        "ratio_ab_over_interleaving": (
            round(ab_n / interleaving_n, 1) if ab_n and interleaving_n else None
        ),
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--products", type=int, default=2000)
    parser.add_argument("--shoppers", type=int, default=800)
    parser.add_argument("--days", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="sensitivity-"))
    started = time.monotonic()
    try:
        pairs = {name: measure_pair(args, name, root) for name in PAIRS}
    finally:
        shutil.rmtree(root, ignore_errors=True)
    report = {
        "incumbent": "index order",
        "pairs": pairs,
        "goal": GOAL,
        "seconds": round(time.monotonic() - started, 1),
        "machine": machine(),
    }
    report["headline"] = sessions_headline(pairs["ideal_order"])
    print(json.dumps(report, indent=2))
    write_report("interleaving_sensitivity", report)


def sessions_headline(pair: dict[str, Any]) -> dict[str, Any]:
    """Ideal order against index order: the pair every method should tell apart."""
    inter = pair["interleaving"]["sessions_needed_80pct_power"]
    ab = pair["ab_reference"]["sessions_needed_80pct_power"]
    return headline(
        "sessions for p < 0.05 at 80% power, interleaving (ideal vs index order)", inter, ab,
        reference_name="A/B test, same pair", unit="sessions", goal="ratio <= 0.1 (10x fewer)",
        met=None if not inter or not ab else inter * 10 <= ab,
    )  # fmt: skip


if __name__ == "__main__":
    main()
