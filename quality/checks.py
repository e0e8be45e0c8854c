"""The quality gates of the pipeline: each checks one lake stage, reports, and raises on failure."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from quality import bronze, suites
from quality.runner import FrameValidator, QualityGateFailed, Spec, describe, failure, write_report
from storeloop.settings import Settings

__all__ = ["QualityGateFailed", "check_bronze", "check_gold", "check_silver", "gate_bronze"]


def check_bronze(settings: Settings, raise_on_failure: bool = True) -> dict:
    """Checks every bronze `dt=` partition; the report lists failed partitions and why."""
    report = bronze.check_partitions(settings)
    write_report(settings, "bronze", report)
    if raise_on_failure and not report["success"]:
        raise QualityGateFailed("bronze", _bronze_messages(report))
    return report


def gate_bronze(settings: Settings) -> dict:
    """The gate silver runs first: failed partitions go to quarantine instead of failing the run."""
    report = check_bronze(settings, raise_on_failure=False)
    report["quarantined"] = bronze.quarantine(settings, report["failed_partitions"])
    report["in_quarantine"] = bronze.quarantined(settings)
    write_report(settings, "bronze", report)
    return report


def check_silver(settings: Settings) -> dict:
    return _check_layer(settings, "silver", suites.SILVER, suites.SILVER_REFERENCES)


def check_gold(settings: Settings) -> dict:
    return _check_layer(settings, "gold", suites.GOLD, suites.GOLD_REFERENCES)


def _check_layer(
    settings: Settings,
    layer: str,
    specs: dict[str, list[Spec]],
    references: list[tuple[str, str, str, str]],
) -> dict:
    validator = FrameValidator()
    frames: dict[str, pd.DataFrame] = {}
    tables: dict[str, dict[str, Any]] = {}
    for table, table_specs in specs.items():
        path = settings.lake_dir / layer / table
        if not path.exists():
            tables[table] = {"success": False, "rows": 0, "failures": [failure("table_exists", {})]}
            continue
        frames[table] = _read(path)
        failures = validator.validate(f"{layer}.{table}", frames[table], table_specs)
        tables[table] = {"success": not failures, "rows": len(frames[table]), "failures": failures}
    for child, column, parent, parent_column in references:
        if child in frames and parent in frames:
            orphans = set(frames[child][column].dropna()) - set(frames[parent][parent_column])
            if orphans:
                found = failure(
                    f"values_in_{parent}.{parent_column}",
                    {"column": column},
                    {
                        "unexpected_count": len(orphans),
                        "partial_unexpected_list": sorted(orphans)[:10],
                    },
                )
                tables[child]["failures"].append(found)
                tables[child]["success"] = False
    report = {"success": all(t["success"] for t in tables.values()), "tables": tables}
    write_report(settings, layer, report)
    if not report["success"]:
        messages = [m for name, t in tables.items() for m in describe(name, t["failures"])]
        raise QualityGateFailed(layer, messages)
    return report


def _read(path: Path) -> pd.DataFrame:
    frame = pd.read_parquet(path)
    if "dt" in frame.columns:  # the hive partition column comes back as a category
        frame["dt"] = frame["dt"].astype(str)
    return frame


def _bronze_messages(report: dict) -> list[str]:
    return [
        message
        for dt, part in report["partitions"].items()
        for message in describe(f"bronze.events.dt={dt}", part["failures"])
    ]
