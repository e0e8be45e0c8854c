"""Every benchmark in sequence, each in its own process, then one table of their headlines: the
figure, the reference measured in the same run, the ratio, the goal and whether it was met.

    python -m benchmarks.all [--quick] [--only search_freshness,fresh_signals]

A benchmark that fails or times out does not stop the others; one whose prerequisites are absent
(the data dir of `make up`, PostgreSQL from `scripts/services.sh`, a public data file) is skipped
with the reason. Each benchmark writes `<data dir>/reports/<name>.json` with a `headline`
(benchmarks.reports.headline); the table is read from those files only, and goes to
`bench_all.json` beside them. Each run's output is kept in `reports/bench_all_logs/<name>.log`.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.reports import write_report
from storeloop.settings import REPO_ROOT, Settings

RECSYS_DATA = REPO_ROOT.parent / "shared" / "data" / "amazon" / "Beauty.txt"
TICK_S = 30.0
LAKE_DIR = str(Path(tempfile.gettempdir()) / "bench-all-lake")  # scratch: a lake of its own


@dataclass(frozen=True)
class Benchmark:
    name: str  # its report file's stem
    module: str
    args: tuple[str, ...] = ()
    quick: tuple[str, ...] | None = ()  # None: too long for --quick, full runs only
    needs: str | None = None  # "make_up", "search_index", "postgres" or "recsys_data"
    timeout_s: float = 3600.0


def catalog(settings: Settings) -> list[Benchmark]:
    """Each benchmark with the arguments it needs to finish in reasonable time."""
    data = ("--data-dir", str(settings.root))
    reports = settings.reports_dir
    return [
        Benchmark("search_freshness", "benchmarks.search_freshness", (), ("--ops", "40")),
        Benchmark("fresh_signals", "benchmarks.fresh_signals", (), ("--ops", "50")),
        Benchmark(
            "search_million",
            "benchmarks.search_million",
            ("--products", "1000000"),
            ("--products", "20000", "--queries", "200"),
        ),
        Benchmark(
            "interleaving_sensitivity",
            "benchmarks.interleaving_sensitivity",
            (),
            ("--products", "500", "--shoppers", "150", "--days", "2"),
        ),
        Benchmark(
            "lake_scale",
            "benchmarks.lake_scale",
            ("--data-dir", LAKE_DIR),
            (
                "--data-dir",
                LAKE_DIR,
                "--products",
                "2000",
                "--shoppers",
                "400",
                "--days",
                "2",
                "--no-gold",
            ),
        ),  # fmt: skip
        Benchmark(
            "search_latency",
            "benchmarks.search_latency",
            (),
            ("--queries", "200"),
            "search_index",
        ),
        Benchmark("search_relevance", "serving.search.evaluate", (), (), "make_up", timeout_s=1800),
        Benchmark(
            "ranker_latency",
            "benchmarks.ranker_latency",
            data,
            (*data, "--searches", "50"),
            "make_up",
        ),  # fmt: skip
        Benchmark(
            "ranker_propensities",
            "benchmarks.ranker_propensities",
            data,
            (*data, "--replays", "5"),
            "make_up",
        ),  # fmt: skip
        Benchmark("ranker_value", "benchmarks.ranker_value", data, None, "make_up"),
        Benchmark(
            "search_http",
            "benchmarks.search_http",
            data,
            (*data, "--queries", "200"),
            "search_index",
        ),
        Benchmark(
            "hot_reload",
            "benchmarks.hot_reload",
            data,
            (*data, "--clients", "4", "--steady-s", "8", "--after-s", "15"),
            "make_up",
        ),  # fmt: skip
        Benchmark(
            "order_placement",
            "benchmarks.order_placement",
            (),
            (
                "--clients",
                "8",
                "--seconds",
                "4",
                "--warmup-seconds",
                "1",
                "--hot-stock",
                "200",
                "--pgbench-seconds",
                "4",
                "--count-orders",
                "20",
            ),
            "postgres",
        ),  # fmt: skip
        Benchmark(
            "outbox_integrity",
            "benchmarks.outbox_integrity",
            (),
            ("--clients", "8", "--seconds", "8"),
            "postgres",
        ),
        Benchmark("chaos", "benchmarks.chaos", (), None, "postgres"),
        Benchmark(
            "recsys_benchmark",
            "benchmarks.recsys",
            (str(RECSYS_DATA), "--json-out", str(reports / "recsys_benchmark.json")),
            (
                str(RECSYS_DATA),
                "--max-users",
                "3000",
                "--epochs",
                "3",
                "--max-minutes",
                "2",
                "--json-out",
                str(reports / "recsys_benchmark.json"),
            ),
            "recsys_data",
        ),  # fmt: skip
    ]


def missing(need: str | None, settings: Settings) -> str | None:
    """Why a benchmark cannot run here, or None when it can."""
    if need == "search_index" and not (settings.search_index_dir / "CURRENT").exists():
        return (
            f"needs a search index under {settings.search_index_dir}: `make up`, or "
            "`python -m benchmarks.search_catalog --data-dir DIR` and STORE_DATA_DIR=DIR"
        )
    if need == "make_up":
        found = (settings.root / "store.db").exists()
        if not found or not (settings.search_index_dir / "CURRENT").exists():
            return f"needs the data dir of `make up` (none at {settings.root}): run `make up` first"
    if need == "postgres" and not os.environ.get("STORE_TEST_DATABASE_URL"):
        return "needs PostgreSQL: `source scripts/services.sh` first (make bench-all does)"
    if need == "recsys_data" and not RECSYS_DATA.is_file():
        return f"needs the public sequence file {RECSYS_DATA}"
    return None


def run_one(bench: Benchmark, args: tuple[str, ...], log: Path, say: Callable[[str], None]) -> str:
    """Runs one benchmark to its end (or its timeout), its output to `log`; returns its status."""
    command = [sys.executable, "-m", bench.module, *args]
    log.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with log.open("w") as out:
        out.write(" ".join(command) + "\n")
        out.flush()
        process = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, cwd=REPO_ROOT, start_new_session=True
        )
        next_tick = started + TICK_S
        while process.poll() is None:
            now = time.monotonic()
            if now - started > bench.timeout_s:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
                return f"timed out after {bench.timeout_s:.0f} s"
            if now >= next_tick:
                say(f"  ... {bench.name} running, {now - started:.0f} s")
                next_tick += TICK_S
            time.sleep(0.5)
    return "ok" if process.returncode == 0 else f"failed (exit {process.returncode})"


def read_row(name: str, report: Path, since: float) -> dict[str, Any]:
    """The headline of a report written since `since` (epoch seconds), else why there is none."""
    if not report.exists() or report.stat().st_mtime < since:
        return {"note": "no report written by this run"}
    try:
        found = json.loads(report.read_text())
    except (OSError, ValueError) as error:
        return {"note": f"unreadable report: {error}"}
    line = found.get("headline")
    if not isinstance(line, dict):
        return {"note": "its report has no headline"}
    keys = ("metric", "figure", "reference", "reference_name", "unit", "ratio", "goal", "met")
    return {key: line.get(key) for key in keys}


def table_rows(runs: list[dict[str, Any]], reports: Path) -> list[dict[str, Any]]:
    """One row per benchmark: how it ran and, when it wrote one this run, its headline."""
    rows = []
    for run in runs:
        row: dict[str, Any] = {"benchmark": run["name"], "status": run["status"]}
        if "started_at" in run:
            row["seconds"] = run.get("seconds")
            row.update(read_row(run["name"], reports / f"{run['name']}.json", run["started_at"]))
        rows.append(row)
    return rows


def _number(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1e6 else f"{value:,.0f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def format_table(rows: list[dict[str, Any]]) -> str:
    """The rows as one aligned text table, notes and skip reasons under it."""
    header = ("benchmark", "status", "headline", "figure", "reference", "ratio", "goal", "met")
    lines = [header]
    notes = []
    for row in rows:
        unit = f" {row['unit']}" if row.get("unit") else ""
        figure = _number(row.get("figure")) + (unit if row.get("figure") is not None else "")
        reference = _number(row.get("reference")) + (
            unit if row.get("reference") is not None else ""
        )
        if row.get("reference_name"):
            reference += f" ({row['reference_name']})"
        met = {True: "met", False: "NOT met", None: "-"}[row.get("met")]
        status = row["status"] if len(row["status"]) < 20 else row["status"].split(":")[0]
        lines.append((
            row["benchmark"], status, row.get("metric") or "-", figure, reference,
            _number(row.get("ratio")), row.get("goal") or "-", met,
        ))  # fmt: skip
        if row.get("note"):
            notes.append(f"{row['benchmark']}: {row['note']}")
        if row["status"].startswith("skipped"):
            notes.append(f"{row['benchmark']}: {row['status']}")
    widths = [min(60, max(len(str(line[i])) for line in lines)) for i in range(len(header))]
    text = [
        "  ".join(str(cell)[:60].ljust(width) for cell, width in zip(line, widths, strict=True))
        for line in lines
    ]
    text.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(text + ([""] + notes if notes else []))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: minutes, not hours")
    parser.add_argument("--only", default="", help="comma-separated benchmark names")
    args = parser.parse_args(argv)
    settings = Settings()
    reports = settings.reports_dir
    chosen = [b for b in catalog(settings) if not args.only or b.name in args.only.split(",")]
    runs: list[dict[str, Any]] = []
    began = time.monotonic()

    def say(line: str) -> None:
        print(line, flush=True)

    say(
        f"{len(chosen)} benchmarks, {'quick' if args.quick else 'full'} sizes; reports in {reports}"
    )
    for n, bench in enumerate(chosen, 1):
        reason = missing(bench.needs, settings)
        bench_args = bench.quick if args.quick else bench.args
        if reason is None and bench_args is None:
            reason = "too long for --quick: full runs only"
        if reason is not None:
            say(f"[{n}/{len(chosen)}] {bench.name}: skipped, {reason}")
            runs.append({"name": bench.name, "status": f"skipped: {reason}"})
            continue
        assert bench_args is not None
        log = reports / "bench_all_logs" / f"{bench.name}.log"
        say(f"[{n}/{len(chosen)}] {bench.name}: python -m {bench.module} {' '.join(bench_args)}")
        started_at, started = time.time(), time.monotonic()
        status = run_one(bench, bench_args, log, say)
        seconds = round(time.monotonic() - started, 1)
        say(f"[{n}/{len(chosen)}] {bench.name}: {status} in {seconds} s (log {log})")
        if status != "ok":
            tail = log.read_text().splitlines()[-8:]
            say("\n".join(f"    | {line}" for line in tail))
        runs.append(
            {"name": bench.name, "status": status, "seconds": seconds, "started_at": started_at}
        )
    rows = table_rows(runs, reports)
    say(f"\nall benchmarks done in {time.monotonic() - began:.0f} s, load average "
        f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}\n")  # fmt: skip
    say(format_table(rows))
    write_report("bench_all", {"quick": args.quick, "rows": rows})
    return 0 if all(r["status"] == "ok" or r["status"].startswith("skipped") for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
