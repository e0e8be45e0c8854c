"""Runs `dbt build` on the dbt/ project in-process; reports per-node status and mart row counts."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

from storeloop.settings import REPO_ROOT, Settings
from warehouse.errors import DbtBuildFailed

DBT_PROJECT_DIR = REPO_ROOT / "dbt"
MARTS = (
    "fct_orders", "dim_products", "dim_customers", "daily_revenue", "fct_model_outcomes",
    "fct_experiment_arms",
)  # fmt: skip
FAILED_STATUSES = {"error", "fail", "runtime error"}


def build_marts(settings: Settings, select: str | None = None) -> dict[str, Any]:
    """Build staging views and marts into `settings.warehouse_path`; DbtBuildFailed on failure.

    `select` is a dbt selector (e.g. "stg_lake__orders+") to build part of the graph.
    """
    from dbt.cli.main import dbtRunner  # heavy import, only when a build is asked for

    settings.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    dbt_dir = settings.root / "dbt"
    args = [
        "build",
        "--project-dir", str(DBT_PROJECT_DIR),
        "--profiles-dir", str(DBT_PROJECT_DIR),
        "--target-path", str(dbt_dir / "target"),
        "--log-path", str(dbt_dir / "logs"),
        "--threads", "1",
        "--no-version-check",
        "--quiet",
        *(["--select", select] if select else []),
    ]  # fmt: skip
    with _profile_env(settings):
        outcome = dbtRunner().invoke(args)
    statuses = _node_statuses(outcome.result)
    failed = sorted(name for name, status in statuses.items() if status in FAILED_STATUSES)
    if not outcome.success or failed:
        detail = str(outcome.exception) if outcome.exception else f"see dbt logs in {dbt_dir}"
        raise DbtBuildFailed(failed, detail)
    return {
        "warehouse_path": str(settings.warehouse_path),
        "unit_tests": sorted(name for name in statuses if name.startswith("unit_test.")),
        "models": {
            name.split(".")[-1]: status
            for name, status in statuses.items()
            if name.startswith("model.")
        },
        "tests": _count_by_status(statuses, ("test.", "unit_test.")),
        "row_counts": mart_row_counts(settings.warehouse_path),
    }


def mart_row_counts(warehouse_path: Path) -> dict[str, int]:
    """Rows per mart; a mart left out of a partial (`select`) build is left out here too."""
    with duckdb.connect(str(warehouse_path), read_only=True) as connection:
        built = {
            name
            for (name,) in connection.execute(
                "select table_name from information_schema.tables where table_schema = 'main'"
            ).fetchall()
        }
        return {
            mart: connection.execute(f"select count(*) from main.{mart}").fetchone()[0]  # type: ignore[index]
            for mart in MARTS
            if mart in built
        }


@contextmanager
def _profile_env(settings: Settings) -> Iterator[None]:
    """profiles.yml and the sources read these through env_var(); restored afterwards."""
    wanted = {
        "STORE_WAREHOUSE_PATH": str(settings.warehouse_path),
        "STORE_LAKE_DIR": str(settings.lake_dir),
    }
    previous = {name: os.environ.get(name) for name in wanted}
    os.environ.update(wanted)
    try:
        yield
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _node_statuses(result: Any) -> dict[str, str]:
    """unique_id -> status (success, pass, warn, fail, error, skipped) from a RunExecutionResult."""
    return {
        run.node.unique_id: str(getattr(run.status, "value", run.status))
        for run in getattr(result, "results", None) or []
    }


def _count_by_status(statuses: dict[str, str], prefixes: tuple[str, ...]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for name, status in statuses.items():
        if name.startswith(prefixes):
            counts[status] = counts.get(status, 0) + 1
    return counts
