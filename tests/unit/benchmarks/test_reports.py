"""Benchmark reports: where they land and what they are stamped with, the 429 guard, and the one
table `make bench-all` builds from them (from sample files: no benchmark runs here)."""

from __future__ import annotations

import json
import os
import time

import pytest

from benchmarks import all as bench_all
from benchmarks.reports import (
    GATEWAY_RATE_LIMITS,
    RateLimited,
    headline,
    refuse_rate_limited,
    write_report,
)
from storeloop.settings import Settings


@pytest.fixture
def settings(tmp_path, monkeypatch) -> Settings:
    monkeypatch.setenv("STORE_DATA_DIR", str(tmp_path / "data"))
    return Settings()


def test_a_report_lands_in_the_data_dirs_reports_stamped(settings):
    line = headline("p50", 2.0, 0.5, reference_name="raw")
    path = write_report("search_latency", {"queries": 10, "headline": line})
    assert path == settings.reports_dir / "search_latency.json"
    saved = json.loads(path.read_text())
    assert saved["queries"] == 10 and saved["headline"]["ratio"] == 4.0
    assert saved["machine"]["cores"] >= 1 and len(saved["load_average"]) == 3
    assert saved["command"].startswith("python") and saved["written_at"].endswith("+00:00")


def test_what_a_benchmark_says_itself_is_kept(settings):
    path = write_report("x", {"command": "python -m benchmarks.x --ops 5", "machine": "mine"})
    saved = json.loads(path.read_text())
    assert saved["command"] == "python -m benchmarks.x --ops 5" and saved["machine"] == "mine"


def test_a_given_settings_wins_over_the_environment(settings, tmp_path):
    other = Settings(data_dir=tmp_path / "other")
    assert write_report("y", {}, other) == tmp_path / "other" / "reports" / "y.json"


def test_headline_ratio_needs_both_figures():
    assert headline("m", 3.0, None, reference_name="r")["ratio"] is None
    assert headline("m", None, 2.0, reference_name="r")["ratio"] is None
    assert headline("m", 3.0, 0.0, reference_name="r")["ratio"] is None
    assert headline("m", float("nan"), 2.0, reference_name="r")["ratio"] is None
    line = headline("m", 1.0, 3.0, reference_name="r", unit="ms", goal="g", met=True)
    assert line == {
        "metric": "m", "figure": 1.0, "reference": 3.0, "reference_name": "r", "unit": "ms",
        "ratio": 0.333, "goal": "g", "met": True,
    }  # fmt: skip


def test_a_429_fails_loudly_whatever_the_key_type():
    refuse_rate_limited({200: 50, 201: 3, 409: 1}, "fine")
    with pytest.raises(RateLimited, match="2 requests answered 429"):
        refuse_rate_limited({200: 5, 429: 2}, "orders")
    with pytest.raises(SystemExit):
        refuse_rate_limited({"429": 1}, "read back from JSON")


def test_the_gateway_limits_are_out_of_reach():
    assert int(GATEWAY_RATE_LIMITS["STORE_RATE_LIMIT_CAPACITY"]) >= 10**9
    assert float(GATEWAY_RATE_LIMITS["STORE_RATE_LIMIT_REFILL_PER_S"]) >= 1e9
    assert int(GATEWAY_RATE_LIMITS["STORE_LOGIN_ATTEMPTS_PER_MINUTE"]) >= 10**9


def _sample(reports, name, line, written_at: float) -> None:
    reports.mkdir(parents=True, exist_ok=True)
    path = reports / f"{name}.json"
    path.write_text(json.dumps({"figures": 1, **({"headline": line} if line else {})}))
    os.utime(path, (written_at, written_at))


def test_the_table_reads_each_headline_written_this_run(tmp_path):
    reports, now = tmp_path / "reports", time.time()
    fresh = headline("commit to visible p99", 120.0, 2.0, reference_name="one search",
                     unit="ms", goal="p99 <= 2000 ms", met=True)  # fmt: skip
    _sample(reports, "search_freshness", fresh, now + 5)
    _sample(reports, "fresh_signals", headline("p99", 900.0, 30.0, reference_name="raw"), now - 99)
    _sample(reports, "chaos", None, now + 5)
    runs = [
        {"name": "search_freshness", "status": "ok", "seconds": 12.0, "started_at": now},
        {"name": "fresh_signals", "status": "failed (exit 1)", "seconds": 3.0, "started_at": now},
        {"name": "chaos", "status": "ok", "seconds": 300.0, "started_at": now},
        {"name": "search_latency", "status": "skipped: needs the data dir of `make up`"},
    ]
    rows = bench_all.table_rows(runs, reports)
    assert rows[0] == {
        "benchmark": "search_freshness", "status": "ok", "seconds": 12.0,
        "metric": "commit to visible p99", "figure": 120.0, "reference": 2.0,
        "reference_name": "one search", "unit": "ms", "ratio": 60.0, "goal": "p99 <= 2000 ms",
        "met": True,
    }  # fmt: skip
    assert rows[1]["note"] == "no report written by this run"  # an old file is not this run's
    assert rows[2]["note"] == "its report has no headline"
    assert rows[3] == {"benchmark": "search_latency", "status": runs[3]["status"]}
    table = bench_all.format_table(rows)
    lines = table.splitlines()
    assert lines[0].split()[:3] == ["benchmark", "status", "headline"]
    assert "120 ms" in lines[2] and "2 ms (one search)" in lines[2] and " 60 " in lines[2]
    assert lines[2].rstrip().endswith("met")
    assert "fresh_signals: no report written by this run" in table
    assert "search_latency: skipped: needs the data dir of `make up`" in table


def test_an_unreadable_report_is_a_note_not_a_crash(tmp_path):
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "hot_reload.json").write_text("{not json")
    runs = [{"name": "hot_reload", "status": "ok", "seconds": 1.0, "started_at": 0.0}]
    assert bench_all.table_rows(runs, reports)[0]["note"].startswith("unreadable report")


def test_every_benchmark_is_a_module_that_exists_and_needs_something_known(settings):
    import importlib.util

    benchmarks = bench_all.catalog(settings)
    assert len({b.name for b in benchmarks}) == len(benchmarks)
    for bench in benchmarks:
        assert importlib.util.find_spec(bench.module) is not None, bench.module
        assert bench.needs in (None, "make_up", "search_index", "postgres", "recsys_data")


def test_a_missing_make_up_data_dir_skips_with_the_reason(settings, monkeypatch):
    assert "make up" in (bench_all.missing("make_up", settings) or "")
    assert "search_catalog" in (bench_all.missing("search_index", settings) or "")
    monkeypatch.delenv("STORE_TEST_DATABASE_URL", raising=False)
    assert "scripts/services.sh" in (bench_all.missing("postgres", settings) or "")
    assert bench_all.missing(None, settings) is None
