"""Lands the event log in bronze: `lake/bronze/events/dt=YYYY-MM-DD/part-<first>-<last>.parquet`."""

from __future__ import annotations

import os
import re
from collections import defaultdict
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from consumers.checkpoint import FileCheckpoint
from consumers.feed import OutboxFeed
from contracts.events import Event
from storeloop.settings import Settings

NAME = "lake_writer"
BRONZE_EVENTS_SCHEMA = pa.schema(
    [
        ("position", pa.int64()),
        ("event_id", pa.string()),
        ("type", pa.string()),
        ("aggregate_id", pa.string()),
        ("payload", pa.string()),
        ("occurred_at", pa.timestamp("us", tz="UTC")),
    ]
)
_PART = re.compile(r"^part-(\d{12})-(\d{12})\.parquet$")


def part_name(first: int, last: int) -> str:
    return f"part-{first:012d}-{last:012d}.parquet"


class LakeWriter:
    """Files are named by positions, so replaying a batch rewrites the same files."""

    def __init__(self, settings: Settings, batch_size: int = 10_000) -> None:
        self.events_dir = settings.lake_dir / "bronze" / "events"
        self.feed = OutboxFeed(settings.db_url)
        self.checkpoint = FileCheckpoint(settings.checkpoint_dir, NAME)
        self.batch_size = batch_size

    def run_once(self) -> int:
        """Writes every event after the checkpoint; returns how many were written."""
        position = self.checkpoint.position
        self._drop_uncommitted(position)
        written = 0
        while batch := self.feed.read(position, self.batch_size):
            self.write_batch(batch)
            position = batch[-1].position or position
            self.checkpoint.save(position)
            written += len(batch)
        return written

    def write_batch(self, events: list[Event]) -> list[Path]:
        by_day: dict[str, list[Event]] = defaultdict(list)
        for event in events:
            by_day[event.occurred_at.strftime("%Y-%m-%d")].append(event)
        return [self._write_day(day, day_events) for day, day_events in sorted(by_day.items())]

    def _write_day(self, day: str, events: list[Event]) -> Path:
        folder = self.events_dir / f"dt={day}"
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / part_name(events[0].position or 0, events[-1].position or 0)
        table = pa.table(
            {
                "position": [event.position for event in events],
                "event_id": [event.event_id for event in events],
                "type": [event.type for event in events],
                "aggregate_id": [event.aggregate_id for event in events],
                "payload": [event.payload_json() for event in events],
                "occurred_at": [event.occurred_at for event in events],
            },
            schema=BRONZE_EVENTS_SCHEMA,
        )
        # A dot-prefixed temp name is ignored by Spark and pyarrow readers until the rename.
        temp = folder / f".{target.name}.tmp"
        pq.write_table(table, temp)
        os.replace(temp, target)
        return target

    def _drop_uncommitted(self, committed: int) -> None:
        """Files past the checkpoint come from a crashed run; the replay rewrites them, maybe
        with other batch bounds, so they go first and no event lands twice."""
        if not self.events_dir.exists():
            return
        for path in self.events_dir.glob("dt=*/*"):
            match = _PART.match(path.name)
            if (match and int(match.group(1)) > committed) or path.name.endswith(".tmp"):
                path.unlink()
