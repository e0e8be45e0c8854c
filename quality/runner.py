"""Runs expectation specs on pandas frames with an ephemeral GX context; writes the report."""

from __future__ import annotations

import json
import os
import warnings
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from storeloop.settings import Settings

# An expectation spec is plain data: (GX expectation class name, its kwargs).
Spec = tuple[str, dict[str, Any]]


class QualityGateFailed(RuntimeError):
    """A stage's data failed expectations; the message names every failing one."""

    code = "quality_gate_failed"

    def __init__(self, stage: str, failures: list[str]) -> None:
        super().__init__(f"{self.code}: {stage} failed {len(failures)}: " + "; ".join(failures))
        self.stage = stage
        self.failures = failures


class FrameValidator:
    """One ephemeral GX context (no files, no analytics) reused for every frame of a check."""

    def __init__(self) -> None:
        os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")  # no network from this machine
        # GX imports the standard library's deprecated sre_constants and sre_parse (some of its
        # modules only when a context or data source is made): warnings for GX's maintainers,
        # printed into the DAG's output at the first check of each process.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            import great_expectations as gx  # heavy import, kept off the import path of callers
            import great_expectations.expectations as gxe
            from great_expectations.data_context.types.base import ProgressBarsConfig

            self._gx, self._gxe = gx, gxe
            self._context = gx.get_context(mode="ephemeral")
            self._context.variables.progress_bars = ProgressBarsConfig(globally=False)
            self._source = self._context.data_sources.add_pandas("lake")

    def validate(self, name: str, frame: pd.DataFrame, specs: list[Spec]) -> list[dict]:
        """Failures of `specs` on `frame`, each {expectation, column, details}; [] if all pass."""
        asset = self._source.add_dataframe_asset(name=name)
        batch = asset.add_batch_definition_whole_dataframe("whole").get_batch(
            batch_parameters={"dataframe": frame}
        )
        suite = self._gx.ExpectationSuite(
            name=name, expectations=[getattr(self._gxe, kind)(**kw) for kind, kw in specs]
        )
        result = batch.validate(suite)
        return [failure(r.expectation_config.type, r.expectation_config.kwargs, r.result)  # type: ignore[union-attr]
                for r in result.results if not r.success]  # fmt: skip


def failure(expectation: str, kwargs: dict, result: dict | None = None) -> dict:
    column = kwargs.get("column") or kwargs.get("column_list")
    details = {
        key: value
        for key, value in (result or {}).items()
        if key in ("observed_value", "unexpected_count", "partial_unexpected_list", "error")
    }
    return {"expectation": expectation, "column": column, "details": details}


def describe(table: str, failures: list[dict]) -> list[str]:
    return [f"{table}.{f['column'] or '*'}: {f['expectation']} {f['details']}" for f in failures]


def write_report(settings: Settings, stage: str, report: dict) -> Path:
    """Merges this stage's report into reports_dir/quality.json (atomically replaced)."""
    path = settings.reports_dir / "quality.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    merged = json.loads(path.read_text()) if path.exists() else {}
    merged[stage] = {**report, "checked_at": datetime.now(UTC).isoformat()}
    temp = path.with_suffix(".json.tmp")
    temp.write_text(json.dumps(merged, indent=2, sort_keys=True, default=str))
    os.replace(temp, path)
    return path
