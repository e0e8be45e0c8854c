"""Reads the gold lake tables that feed Feast and the training sets, with typed errors."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow.dataset as ds

from storeloop.settings import Settings


class FeatureDataError(Exception):
    """A gold table the features need is missing, empty or unreadable; `code` says which."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def gold_dir(settings: Settings) -> Path:
    return settings.lake_dir / "gold"


def read_gold(settings: Settings, table: str) -> pd.DataFrame:
    """The whole gold table as pandas (the `dt` partition column dropped), never empty."""
    path = gold_dir(settings) / table
    if not path.exists():
        raise FeatureDataError("gold_table_missing", f"gold table {table} not found at {path}")
    try:
        frame = ds.dataset(path, format="parquet", partitioning="hive").to_table().to_pandas()
    except Exception as exc:  # pyarrow raises several types for corrupt or foreign files
        raise FeatureDataError(
            "gold_table_corrupt", f"cannot read gold table {table}: {exc}"
        ) from exc
    if frame.empty:
        raise FeatureDataError("gold_table_empty", f"gold table {table} has no rows")
    if "event_timestamp" not in frame.columns:
        raise FeatureDataError("gold_table_corrupt", f"gold table {table} has no event_timestamp")
    frame = frame.drop(columns=["dt"], errors="ignore")
    frame["event_timestamp"] = pd.to_datetime(frame["event_timestamp"], utc=True)
    return frame


def event_time_bounds(settings: Settings, table: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last event_timestamp of a gold table (UTC)."""
    times = read_gold(settings, table)["event_timestamp"]
    return times.min(), times.max()
