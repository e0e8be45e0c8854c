"""The bronze gate: each `dt=` partition of events is checked file by file, failures quarantined."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from contracts.events import ALL_TYPES
from quality.runner import FrameValidator, Spec, failure
from storeloop.settings import Settings

COLUMNS = ["position", "event_id", "type", "aggregate_id", "payload", "occurred_at"]


def bronze_specs(dt: str) -> list[Spec]:
    return [
        ("ExpectColumnValuesToNotBeNull", {"column": "event_id"}),
        # Duplicates across files are replays that silver dedupes; within a file they are a bug.
        ("ExpectCompoundColumnsToBeUnique", {"column_list": ["file", "event_id"]}),
        ("ExpectColumnValuesToBeInSet", {"column": "type", "value_set": list(ALL_TYPES)}),
        ("ExpectColumnValuesToNotBeNull", {"column": "payload"}),
        ("ExpectColumnValuesToBeJsonParseable", {"column": "payload"}),
        ("ExpectColumnValuesToNotBeNull", {"column": "occurred_at"}),
        ("ExpectColumnValuesToBeInSet", {"column": "occurred_day", "value_set": [dt]}),
    ]


def events_dir(settings: Settings) -> Path:
    return settings.lake_dir / "bronze" / "events"


def _load_partition(folder: Path) -> tuple[pd.DataFrame, list[dict]]:
    frames, failures = [], []
    for file in sorted(folder.glob("*.parquet")):
        try:
            frame = pq.read_table(file).to_pandas()
        except Exception as error:  # any unreadable file fails its partition, whatever the cause
            failures.append(
                failure("readable_parquet", {"column": file.name}, {"error": str(error)})
            )
            continue
        missing = [column for column in COLUMNS if column not in frame.columns]
        if missing:
            failures.append(failure("bronze_columns", {"column": file.name}, {"error": missing}))
            continue
        frames.append(frame[COLUMNS].assign(file=file.name))
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    return frame, failures


def check_partitions(settings: Settings) -> dict:
    """{"success", "partitions": {dt: {success, rows, failures}}, "failed_partitions": [dt]}."""
    folders = sorted(p for p in events_dir(settings).glob("dt=*") if p.is_dir())
    validator = FrameValidator() if folders else None
    partitions = {}
    for folder in folders:
        dt = folder.name.removeprefix("dt=")
        frame, failures = _load_partition(folder)
        if validator is not None and not frame.empty:
            at = pd.to_datetime(frame["occurred_at"], utc=True)
            frame["occurred_day"] = at.dt.strftime("%Y-%m-%d")
            failures += validator.validate(f"bronze.events.{dt}", frame, bronze_specs(dt))
        partitions[dt] = {"success": not failures, "rows": len(frame), "failures": failures}
    failed = [dt for dt, part in partitions.items() if not part["success"]]
    return {"success": not failed, "partitions": partitions, "failed_partitions": failed}


def quarantine(settings: Settings, partitions: list[str]) -> list[str]:
    """Moves failed partitions to lake/quarantine/events/dt=.../ (merging with earlier moves)."""
    moved = []
    for dt in partitions:
        source = events_dir(settings) / f"dt={dt}"
        target = settings.lake_dir / "quarantine" / "events" / f"dt={dt}"
        target.mkdir(parents=True, exist_ok=True)
        for file in source.iterdir():
            shutil.move(str(file), str(target / file.name))
        source.rmdir()
        moved.append(str(target))
    return moved


def quarantined(settings: Settings) -> list[str]:
    """Every partition in quarantine, from this run or earlier ones (a rerun must not hide them)."""
    folder = settings.lake_dir / "quarantine" / "events"
    return sorted(p.name.removeprefix("dt=") for p in folder.glob("dt=*"))
