"""Small synthetic gold tables, shaped like the Spark output, for tests and offline demos.

Shoppers favour one category and like well-rated products; the index score is mostly noise,
so a ranker that reads category_affinity and rating can beat index order. shopper_activity is
folded (features.activity) from the events the interactions stand for, as the gold job does.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from contracts import events as ev
from contracts.events import Event
from features.activity import activity_rows
from storeloop.settings import Settings

CATEGORIES = ["books", "garden", "kitchen", "toys"]
BRANDS = ["acme", "globex", "initech", "umbrella", "hooli"]
START = datetime(2024, 3, 1, tzinfo=UTC)


def _write(frame: pd.DataFrame, table_dir: Path) -> None:
    for dt, part in frame.groupby(frame["event_timestamp"].dt.strftime("%Y-%m-%d")):
        folder = table_dir / f"dt={dt}"
        folder.mkdir(parents=True, exist_ok=True)
        part.to_parquet(folder / "part-0.parquet", index=False)


def write_sample_gold(
    settings: Settings,
    days: int = 4,
    products: int = 40,
    customers: int = 16,
    searches_per_day: int = 12,
    results: int = 8,
    seed: int = 0,
) -> dict[str, pd.DataFrame]:
    """Writes product_features and customer_features (one row per entity per day, from day 0),
    ranking_examples and interactions (days 1..days) and the shopper_activity they make; returns
    the frames."""
    rng = np.random.default_rng(seed)
    gold = settings.lake_dir / "gold"
    product_ids = [f"p-{i:06d}" for i in range(1, products + 1)]
    customer_ids = [f"c-{i:06d}" for i in range(1, customers + 1)]
    category = {p: CATEGORIES[i % len(CATEGORIES)] for i, p in enumerate(product_ids)}
    brand = {p: BRANDS[i % len(BRANDS)] for i, p in enumerate(product_ids)}
    rating = {p: float(rng.uniform(1.0, 5.0)) for p in product_ids}
    taste = {c: CATEGORIES[i % len(CATEGORIES)] for i, c in enumerate(customer_ids)}
    day_ends = [
        START + timedelta(days=d, hours=23, minutes=59, seconds=59) for d in range(days + 1)
    ]
    product_rows, customer_rows, examples = [], [], []
    for day_end in day_ends:
        for p in product_ids:
            clicks, impressions = int(rng.integers(0, 5)), int(rng.integers(5, 40))
            product_rows.append(
                {
                    "product_id": p,
                    "event_timestamp": day_end,
                    "category": category[p],
                    "brand": brand[p],
                    "price": float(rng.uniform(5, 100)),
                    "price_rel_category": float(rng.uniform(0.5, 1.5)),
                    "rating": rating[p],
                    "rating_count": int(rng.integers(0, 200)),
                    "stock": 10,
                    "in_stock": 1,
                    "orders_7d": int(rng.integers(0, 5)),
                    "units_7d": int(rng.integers(0, 8)),
                    "impressions_7d": impressions,
                    "clicks_7d": clicks,
                    "ctr_7d": (clicks + 1) / (impressions + 20),
                    "popularity": float(np.log1p(rng.integers(0, 8))),
                }
            )
            # Every sample product is standalone: its family is itself.
            own = product_rows[-1]
            own["family_orders_7d"], own["family_ctr_7d"] = own["orders_7d"], own["ctr_7d"]
        for c in customer_ids:
            customer_rows.append(
                {
                    "customer_id": c,
                    "event_timestamp": day_end,
                    "orders_30d": 1,
                    "spend_30d": 50.0,
                    "avg_order_value": 50.0,
                    "clicks_30d": 3,
                    "top_category": taste[c],
                    "top_brand": BRANDS[int(rng.integers(0, len(BRANDS)))],
                }
            )
    for day in range(1, days + 1):
        for s in range(searches_per_day):
            customer = customer_ids[int(rng.integers(0, customers))]
            at = START + timedelta(days=day, hours=1 + s)
            shown = rng.choice(product_ids, size=results, replace=False)
            index_scores = np.sort(rng.uniform(1.0, 10.0, size=results))[::-1]
            for position, (p, score) in enumerate(zip(shown, index_scores, strict=True), 1):
                relevance = 2.0 * (category[p] == taste[customer]) + (rating[p] - 3.0)
                label = int(np.clip(round(relevance + rng.normal(0, 0.5)), 0, 3))
                examples.append(
                    {
                        "search_id": f"srch-{day:02d}{s:03d}",
                        "session_id": f"sess-{day}-{s}",
                        "customer_id": customer,
                        "query": category[p],
                        "product_id": str(p),
                        "position": position,
                        "index_score": float(score),
                        "ranker": "index",
                        "clicked": int(label >= 1),
                        "added_to_cart": int(label >= 2),
                        "purchased": int(label >= 3),
                        "label": label,
                        "event_timestamp": at,
                    }
                )
    frames = {
        "product_features": pd.DataFrame(product_rows),
        "customer_features": pd.DataFrame(customer_rows),
        "ranking_examples": pd.DataFrame(examples),
    }
    frames["interactions"] = _interactions(taste, product_ids, category, days)
    frames["shopper_activity"] = pd.DataFrame(activity_rows(_events(frames["interactions"])))
    for table, frame in frames.items():
        _write(frame, gold / table)
    return frames


def _interactions(taste: dict, product_ids: list, category: dict, days: int) -> pd.DataFrame:
    """Each shopper walks their favourite category in a fixed cyclic order, starting at their own
    offset: the next item follows from the last one, which popularity cannot know."""
    kinds = ["click", "click", "cart", "purchase"]
    weights = {"click": 1, "cart": 2, "purchase": 3}
    rows = []
    for number, (customer, liked) in enumerate(taste.items()):
        shelf = [p for p in product_ids if category[p] == liked]
        for step in range(10):
            kind = kinds[(number + step) % len(kinds)]
            rows.append(
                {
                    "customer_id": customer,
                    "product_id": shelf[(number + step) % len(shelf)],
                    "event_timestamp": START
                    + timedelta(days=1, hours=step * (24 * days - 24) // 10, minutes=number),
                    "kind": kind,
                    "weight": weights[kind],
                }
            )
    return pd.DataFrame(rows)


def _events(interactions: pd.DataFrame) -> list[Event]:
    """The log the interactions come from: a click, a cart add, or an order placed and paid."""
    found: list[Event] = []

    def log(kind: str, aggregate: str, payload: dict, at: datetime) -> None:
        found.append(Event(kind, aggregate, payload, at, position=len(found) + 1))

    ordered = interactions.sort_values(["event_timestamp", "customer_id"], kind="stable")
    for n, row in enumerate(ordered.itertuples(index=False)):
        who, product, at = row.customer_id, row.product_id, row.event_timestamp.to_pydatetime()
        if row.kind == "click":
            log(
                ev.SEARCH_RESULT_CLICKED,
                f"srch-i{n}",
                {"customer_id": who, "product_id": product},
                at,
            )
        elif row.kind == "cart":
            log(ev.CART_ITEM_ADDED, f"cart-{who}", {"customer_id": who, "product_id": product}, at)
        else:
            order = f"o-i{n}"
            items = [{"product_id": product, "quantity": 1}]
            log(ev.ORDER_PLACED, order, {"order_id": order, "customer_id": who, "items": items}, at)
            paid = {"order_id": order, "customer_id": who, "to_status": "paid"}
            log(ev.ORDER_STATUS_CHANGED, order, paid, at)
    return found
