"""A small finished run of two rounds for the experiments notebook to fall back on when the data
dir holds none: silver tables shaped as the Spark jobs write them (searches with their teams and
arms, clicks, recommendation lists, orders) and the launcher's `rounds.json` and
`decisions.jsonl`. Round 1 is served by the baselines in both arms; in round 2 the models arm
sees the champion, half of its searches interleaved with a challenger its shoppers click a
little more. Seeded: the same call writes the same run.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from storeloop.arms import MODELS, arm_of
from storeloop.settings import Settings

FIRST_DAY = date(2026, 11, 1)  # simulation.run.SIMULATION_START
CHAMPION, CHALLENGER = "3", "5"


def write_sample_run(settings: Settings, shoppers: int = 300, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    tables: dict[str, list[dict[str, Any]]] = {
        t: []
        for t in ("search_impressions", "clicks", "recommendation_impressions",
                  "recommendation_clicks", "orders", "order_items")
    }  # fmt: skip
    rounds = []
    for number, first_day in ((1, 0), (2, 2)):
        for offset in range(2):
            day = FIRST_DAY + timedelta(days=first_day + offset)
            for n in range(shoppers):
                _shop(tables, rng, f"c-{n:06d}", number, day, settings)
        rounds.append(_round(number, first_day))
    for table, rows in tables.items():
        for day in sorted({row["dt"] for row in rows}):
            folder = settings.lake_dir / "silver" / table / f"dt={day}"
            folder.mkdir(parents=True, exist_ok=True)
            kept = [{k: v for k, v in row.items() if k != "dt"} for row in rows if row["dt"] == day]
            written = pa.Table.from_pylist(kept)
            # Spark writes typed columns; a day without interleaving must not read as nulls.
            typed = pa.schema([f.with_type(pa.string()) if pa.types.is_null(f.type) else f
                               for f in written.schema])  # fmt: skip
            pq.write_table(written.cast(typed), folder / "part-0.parquet")
    settings.reports_dir.mkdir(parents=True, exist_ok=True)
    (settings.reports_dir / "rounds.json").write_text(json.dumps(rounds, indent=2))
    decisions = [r["decisions"]["search-ranker"]["decision"] for r in rounds]
    (settings.reports_dir / "decisions.jsonl").write_text(
        "".join(json.dumps(d) + "\n" for d in decisions)
    )


def _shop(
    tables: dict[str, list], rng: np.random.Generator, shopper: str, number: int, day: date,
    settings: Settings,
) -> None:  # fmt: skip
    arm = arm_of(shopper, 0.5, settings.experiment_salt)
    models = number == 2 and arm == MODELS
    if rng.random() > 0.6:  # not every shopper comes every day
        return
    session = f"sess-{shopper}-{day:%m%d}"
    search = f"srch-{shopper}-{day:%m%d}"
    interleaved = models and rng.random() < 0.5
    teams = [(CHALLENGER if (p + (rng.random() < 0.5)) % 2 else CHAMPION) for p in range(10)]
    for position in range(1, 11):
        tables["search_impressions"].append({
            "search_id": search, "session_id": session, "customer_id": shopper, "arm": arm,
            "position": position, "product_id": f"p-{position}",
            "team": teams[position - 1] if interleaved else None, "dt": day.isoformat(),
        })  # fmt: skip
    click_rate = 0.35 if models else 0.3
    clicked = [p for p in range(1, 11) if rng.random() < click_rate / p**0.5]
    if interleaved:  # the challenger's results draw a few more clicks
        clicked += [p for p in range(1, 11) if teams[p - 1] == CHALLENGER and rng.random() < 0.05]
    for position in sorted(set(clicked)):
        tables["clicks"].append({"search_id": search, "position": position, "dt": day.isoformat()})
    shown = f"rec-{shopper}-{day:%m%d}"
    tables["recommendation_impressions"].append(
        {"recommendation_id": shown, "customer_id": shopper, "arm": arm, "dt": day.isoformat()}
    )
    if rng.random() < (0.25 if models else 0.15):
        tables["recommendation_clicks"].append(
            {
                "recommendation_id": shown,
                "position": int(rng.integers(1, 11)),
                "dt": day.isoformat(),
            }  # fmt: skip
        )
    if clicked and rng.random() < (0.3 if models else 0.25):
        order = f"ord-{shopper}-{day:%m%d}"
        total = round(float(rng.lognormal(3.5, 0.6)), 2)
        at = day.isoformat()
        tables["orders"].append(
            {"order_id": order, "customer_id": shopper, "status": "paid", "total": total, "dt": at}
        )
        tables["order_items"].append(
            {"order_id": order, "search_id": search, "product_id": f"p-{clicked[0]}", "dt": at}
        )


def _hidden_truth(number: int) -> dict[str, float]:
    """What the ranker's task logs from a simulation's hidden truth, in sample numbers."""
    value = {"index": 18.0, "lightgbm": 17.0, "neural": 14.0 + number, "ideal": 21.0}
    ndcg = {"index": 0.84, "lightgbm": 0.86, "neural": 0.90 + 0.005 * number}
    return {f"{kind}_true_cart_value": v for kind, v in value.items()} | {
        f"{kind}_true_ndcg_at_10": v for kind, v in ndcg.items()
    }


def _round(number: int, first_day: int) -> dict[str, Any]:
    """What the launcher writes for a round, cut to what the notebook reads."""
    values = {"neural": 0.61 + 0.01 * number, "lightgbm": 0.6, "index": 0.6}
    if number == 2:
        values["champion"] = 0.6
    decision = {
        "model": "search-ranker", "stage": "offline", "values": values,
        "decision": "keep", "reason": "sample: neural does not beat the incumbent",
    }  # fmt: skip
    return {
        "number": number, "first_day": first_day, "days": 2,
        "champions_after": {"search-ranker": CHAMPION, "recommender": "4"},
        "challenger_after": CHALLENGER,
        "decisions": {"search-ranker": {"decision": decision, **_hidden_truth(number)},
                      "recommender": {"decision": {**decision, "model": "recommender",
                                                   "values": {"sasrec": 0.09, "item_knn": 0.05,
                                                              "popularity": 0.02}}}},
    }  # fmt: skip
