"""The event log read back from bronze Parquet, as the outbox feed hands it out: `Event`
envelopes after a position, in position order, each event once (a replayed batch may have landed
twice). For rebuilding read models (the search index) from the lake alone."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds

from contracts.events import Event


class BronzeFeed:
    """`read(after_position, limit)` like `OutboxFeed`, over `lake/bronze/events`; with
    `up_to_position`, the log ends there (a rebuild compares like with like)."""

    def __init__(self, events_dir: Path, up_to_position: int | None = None) -> None:
        self.events_dir = Path(events_dir)
        self.up_to_position = up_to_position
        self._table: pa.Table | None = None

    @property
    def table(self) -> pa.Table:
        """Every bronze event once, in position order; read on first use."""
        if self._table is None:
            if not any(self.events_dir.glob("dt=*/*.parquet")):
                self._table = pa.table({"position": pa.array([], pa.int64())})
                return self._table
            dataset = ds.dataset(self.events_dir, format="parquet", partitioning="hive")
            found = dataset.to_table(
                columns=["position", "event_id", "type", "aggregate_id", "payload", "occurred_at"]
            )
            if self.up_to_position is not None:
                found = found.filter(pc.field("position") <= self.up_to_position)
            found = found.sort_by("position")
            # First of each event id: a replay rewrote the same event, not another one.
            seen: set[str] = set()
            keep = []
            for index, event_id in enumerate(found.column("event_id").to_pylist()):
                if event_id not in seen:
                    seen.add(event_id)
                    keep.append(index)
            self._table = found.take(pa.array(keep, pa.int64()))
        return self._table

    def read(self, after_position: int, limit: int) -> list[Event]:
        positions = self.table.column("position")
        start = int(pc.sum(pc.less_equal(positions, after_position)).as_py() or 0)
        rows = self.table.slice(start, limit).to_pylist()
        return [
            Event(
                type=row["type"],
                aggregate_id=row["aggregate_id"],
                payload=json.loads(row["payload"]),
                occurred_at=row["occurred_at"],
                event_id=row["event_id"],
                position=int(row["position"]),
            )
            for row in rows
        ]

    @property
    def last_position(self) -> int:
        positions = self.table.column("position")
        return int(pc.max(positions).as_py() or 0) if len(positions) else 0

    def close(self) -> None:
        self._table = None
