"""Runs `dbt build` on the dbt/ project in-process; reports per-node status and mart row counts.

The marts go where `warehouse.marts` says: the DuckDB file (target `lake`), or the PostgreSQL
database of `settings.marts_url` (target `marts`), into which the silver tables are copied first."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from storeloop.settings import REPO_ROOT, Settings
from warehouse.errors import DbtBuildFailed
from warehouse.marts import dbt_target, location, mart_row_counts
from warehouse.silver_copy import copy_silver

DBT_PROJECT_DIR = REPO_ROOT / "dbt"
FAILED_STATUSES = {"error", "fail", "runtime error"}


def build_marts(settings: Settings, select: str | None = None) -> dict[str, Any]:
    """Build staging views and marts where the profile keeps them; DbtBuildFailed on failure.

    `select` is a dbt selector (e.g. "stg_lake__orders+") to build part of the graph.
    """
    settings.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    silver_copied = copy_silver(settings) if settings.marts_url else None
    outcome = _dbt(settings, "build", *(["--select", select] if select else []))
    statuses = _node_statuses(outcome.result)
    failed = sorted(name for name, status in statuses.items() if status in FAILED_STATUSES)
    if not outcome.success or failed:
        detail = str(outcome.exception) if outcome.exception else f"see {_logs(settings)}"
        raise DbtBuildFailed(failed, detail)
    return {
        "marts": location(settings),
        **({"silver_copied": silver_copied} if silver_copied is not None else {}),
        "unit_tests": sorted(name for name in statuses if name.startswith("unit_test.")),
        "models": {
            name.split(".")[-1]: status
            for name, status in statuses.items()
            if name.startswith("model.")
        },
        "tests": _count_by_status(statuses, ("test.", "unit_test.")),
        "row_counts": mart_row_counts(settings),
    }


def generate_docs(settings: Settings) -> Path:
    """The analysts' documentation of the built marts (`dbt docs generate`: models, columns,
    tests, lineage and the database's own column types); returns its index.html."""
    outcome = _dbt(settings, "docs", "generate")
    if not outcome.success:
        detail = str(outcome.exception) if outcome.exception else f"see {_logs(settings)}"
        raise DbtBuildFailed([], detail)
    return _target_dir(settings) / "index.html"


def _dbt(settings: Settings, *command: str) -> Any:
    from dbt.cli.main import dbtRunner  # heavy import, only when dbt is asked for

    args = [
        *command,
        "--project-dir", str(DBT_PROJECT_DIR),
        "--profiles-dir", str(DBT_PROJECT_DIR),
        "--target-path", str(_target_dir(settings)),
        "--log-path", str(_logs(settings)),
        "--target", dbt_target(settings),
        "--threads", "1",
        "--no-version-check",
        "--quiet",
    ]  # fmt: skip
    with _profile_env(settings):
        return dbtRunner().invoke(args)


def _target_dir(settings: Settings) -> Path:
    return settings.root / "dbt" / "target"


def _logs(settings: Settings) -> Path:
    return settings.root / "dbt" / "logs"


@contextmanager
def _profile_env(settings: Settings) -> Iterator[None]:
    """profiles.yml and the sources read these through env_var(); restored afterwards."""
    wanted = {
        "STORE_WAREHOUSE_PATH": str(settings.warehouse_path),
        "STORE_LAKE_DIR": str(settings.lake_dir),
    }
    if settings.marts_url:
        url = make_url(settings.marts_url)
        wanted |= {
            "DBT_MARTS_HOST": url.host or "127.0.0.1",
            "DBT_MARTS_PORT": str(url.port or 5432),
            "DBT_MARTS_USER": url.username or "",
            "DBT_MARTS_PASSWORD": url.password or "",
            "DBT_MARTS_DBNAME": url.database or "",
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
