"""A bronze lake of any size without the store: seeded, vectorised, written day by day.

`python -m benchmarks.synthetic_lake --data-dir /tmp/bigday --products 100000 --shoppers 20000
--days 30` writes `<data-dir>/lake/bronze/events/dt=YYYY-MM-DD/part-<first>-<last>.parquet` as
consumers.lake_writer lands the event log: its schema, its file names, payloads of
contracts.events. The simulator makes the same events over HTTP, a thousand times slower.
"""

from __future__ import annotations

import argparse
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from benchmarks import lake_json as J
from benchmarks import synthetic_catalog as C
from benchmarks.lake_json import SECOND, events
from benchmarks.synthetic_orders import StockMoves
from benchmarks.synthetic_sessions import shop_day
from consumers.lake_writer import BRONZE_EVENTS_SCHEMA, part_name
from contracts import events as E

DAY = 86_400 * SECOND
BATCH = 10_000  # events per file, as LakeWriter's batch_size
PRICE_CHANGES = 0.01  # of the catalog, each day after the first
# Bronze events per session at these rates (4.33 measured over 30 days of 20,000 shoppers, and
# 3.0 page views more over 3 days of 2,000): --events picks the session rate with it.
EVENTS_PER_SESSION = 7.3


@dataclass(frozen=True)
class Shape:
    products: int
    shoppers: int
    days: int
    sessions_per_shopper_day: float = 0.6  # Settings.sim_sessions_per_shopper_day
    seed: int = 7
    start: date = date(2026, 11, 1)

    @classmethod
    def for_events(cls, events: int, products: int, shoppers: int, days: int, **kw) -> Shape:
        """The session rate that lands about `events` bronze events in all."""
        setup = 2 * products + shoppers + max(1, products // C.PRODUCTS_PER_SELLER)
        rate = max(0.0, events - setup) / (shoppers * days * EVENTS_PER_SESSION)
        return cls(products, shoppers, days, sessions_per_shopper_day=rate, **kw)


def write_lake(
    data_dir: Path, shape: Shape, progress: Callable[[str], None] = lambda line: None
) -> dict:
    """Replaces the bronze events under `data_dir` with `shape`'s; returns what was written."""
    folder = data_dir / "lake" / "bronze" / "events"
    if folder.exists():
        shutil.rmtree(folder)
    rng = np.random.default_rng(shape.seed)
    catalog = C.build_catalog(rng, shape.products, shape.shoppers)
    first = int(datetime.combine(shape.start, datetime.min.time(), UTC).timestamp()) * SECOND
    position, began = 1, time.perf_counter()
    counts: dict[str, int] = {}
    for day in range(shape.days):
        start = first + day * DAY
        tables = _listing(catalog, start) if day == 0 else []
        day_tables = [] if day == 0 else [_price_changes(rng, catalog, first, start)]
        shopped, moves = shop_day(
            rng, catalog, day, start, shape.sessions_per_shopper_day, shape.seed
        )
        day_tables += shopped + [_stock_events(rng, catalog, start, moves)]
        ordered = pa.concat_tables(day_tables).sort_by([("t", "ascending"), ("tie", "ascending")])
        rows = pa.concat_tables([*tables, ordered]) if tables else ordered
        position = _write_day(rng, folder, shape.start + timedelta(days=day), rows, position)
        for kind in rows["type"].value_counts().to_pylist():
            counts[kind["values"]] = counts.get(kind["values"], 0) + kind["counts"]
        progress(
            f"  day {day + 1}/{shape.days}: {len(rows):,} events, "
            f"{position - 1:,} in all, {time.perf_counter() - began:.0f} s"
        )
    return {
        "events": position - 1,
        "by_type": dict(sorted(counts.items())),
        "files": _files(folder),
    }


def _listing(catalog: C.Catalog, at: int) -> list[pa.Table]:
    """The first instant: sellers, then each product listed and stocked, then the shoppers."""
    sellers = np.arange(1, catalog.sellers + 1)
    customers = np.arange(1, catalog.customers + 1)
    index = np.arange(catalog.size)
    listed = events(np.full(len(index), at), 0, E.PRODUCT_CREATED, catalog.fields["product_id"],
                    C.product_payloads(catalog, index, at, at))  # fmt: skip
    stocked = events(
        np.full(len(index), at), 0, E.STOCK_CHANGED, catalog.fields["product_id"],
        C.stock_payloads(index, catalog.stock, catalog.stock, pa.array(["restock"] * len(index))),
    )  # fmt: skip
    # Interleaved: each ProductCreated followed by its first StockChanged, as the seller adds it.
    products = pa.concat_tables([listed, stocked]).take(
        pa.array(np.stack([index, index + len(index)], axis=1).ravel())
    )
    return [
        events(np.full(len(sellers), at), 0, E.CUSTOMER_REGISTERED, J.numbered("s", sellers),
               C.registration_payloads("s", "seller", sellers, at)),
        products,
        events(np.full(len(customers), at), 0, E.CUSTOMER_REGISTERED, J.numbered("c", customers),
               C.registration_payloads("c", "customer", customers, at)),
    ]  # fmt: skip


def _price_changes(
    rng: np.random.Generator, catalog: C.Catalog, listed: int, start: int
) -> pa.Table:
    """Sellers reprice a few products in the first minute of the day (orders pay the new price)."""
    index = np.flatnonzero(rng.random(catalog.size) < PRICE_CHANGES)
    cents = catalog.price_cents[index] * rng.uniform(0.85, 1.15, len(index))
    catalog.price_cents[index] = np.maximum(99, cents.astype(np.int64))
    at = start + rng.integers(SECOND, 60 * SECOND, len(index))
    ids = catalog.fields["product_id"].take(pa.array(index))
    return events(at, 0, E.PRODUCT_UPDATED, ids, C.product_payloads(catalog, index, listed, at))


def _stock_events(
    rng: np.random.Generator, catalog: C.Catalog, start: int, moves: StockMoves
) -> pa.Table:
    """Restocks in the day's second minute wherever the day's orders would run a product dry (so
    no order is refused for stock), then every move with the level it leaves, in log order."""
    sold = np.bincount(moves.product, np.maximum(0, -moves.delta), minlength=catalog.size)
    short = np.flatnonzero(catalog.stock < sold + 5)
    refill = sold[short] + rng.integers(20, 100, len(short)) - catalog.stock[short]
    at = np.concatenate([start + rng.integers(60 * SECOND, 120 * SECOND, len(short)), moves.at])
    tie = np.concatenate([np.zeros(len(short), np.int64), moves.tie])
    product = np.concatenate([short, moves.product])
    delta = np.concatenate([refill, moves.delta])
    reason = pa.concat_arrays([pa.array(["restock"] * len(short), pa.string()), moves.reason])
    # Running level per product in (time, tie) order: the final sort of the day keeps it.
    order = np.lexsort((tie, at))
    order = order[np.argsort(product[order], kind="stable")]
    running = np.cumsum(delta[order])
    first = np.r_[True, product[order][1:] != product[order][:-1]]
    before = np.maximum.accumulate(np.where(first, np.arange(len(order)), 0))
    level = np.empty(len(order), np.int64)
    level[order] = catalog.stock[product[order]] + running - (running - delta[order])[before]
    catalog.stock += np.bincount(product, delta, minlength=catalog.size).astype(np.int64)
    payload = C.stock_payloads(product, level, delta, reason)
    return events(at, 0, E.STOCK_CHANGED, J.numbered("p", product + 1), payload).set_column(
        1, "tie", pa.array(tie.astype(np.int8))
    )


def _write_day(
    rng: np.random.Generator, folder: Path, day: date, rows: pa.Table, position: int
) -> int:
    """The day's events in files of BATCH, positions from `position`; returns the next one."""
    n = len(rows)
    table = pa.table(
        {
            "position": pa.array(np.arange(position, position + n), pa.int64()),
            "event_id": J.hex_ids(rng, "", n),
            "type": rows["type"],
            "aggregate_id": rows["aggregate_id"],
            "payload": rows["payload"],
            "occurred_at": rows["t"].cast(pa.timestamp("us", tz="UTC")),
        },
        schema=BRONZE_EVENTS_SCHEMA,
    )
    target = folder / f"dt={day.isoformat()}"
    target.mkdir(parents=True, exist_ok=True)
    for offset in range(0, n, BATCH):
        part = table.slice(offset, BATCH)
        name = part_name(position + offset, position + offset + len(part) - 1)
        temp = target / f".{name}.tmp"  # hidden from readers until the rename, as LakeWriter
        pq.write_table(part, temp)
        os.replace(temp, target / name)
    return position + n


def _files(folder: Path) -> int:
    return sum(1 for _ in folder.glob("dt=*/*.parquet"))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", type=Path, required=True)
    add_shape_arguments(parser)
    args = parser.parse_args(argv)
    shape = shape_of(args)
    print(f"writing {describe(shape)} to {args.data_dir}")
    written = write_lake(args.data_dir, shape, print)
    print(f"{written['events']:,} events in {written['files']} files")


def add_shape_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--products", type=int, default=20_000)
    parser.add_argument("--shoppers", type=int, default=4_000)
    parser.add_argument("--days", type=int, default=7)
    rate = parser.add_mutually_exclusive_group()
    rate.add_argument("--sessions", type=float, default=0.6, help="sessions per shopper and day")
    rate.add_argument("--events", type=int, help="about this many events (sets the session rate)")
    parser.add_argument("--seed", type=int, default=7)


def shape_of(args: argparse.Namespace) -> Shape:
    common = {"seed": args.seed}
    if args.events:
        return Shape.for_events(args.events, args.products, args.shoppers, args.days, **common)
    return Shape(args.products, args.shoppers, args.days, args.sessions, **common)


def describe(shape: Shape) -> str:
    return (
        f"{shape.products:,} products, {shape.shoppers:,} shoppers, {shape.days} days from "
        f"{shape.start} at {shape.sessions_per_shopper_day:.2f} sessions per shopper-day "
        f"(seed {shape.seed})"
    )


if __name__ == "__main__":
    main()
