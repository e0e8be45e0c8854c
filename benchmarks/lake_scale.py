"""A bigger day through the lake: a synthetic bronze lake of N products, M shoppers and D days,
then Spark's silver and gold jobs against the DuckDB twin of silver on the same data.

    python -m benchmarks.lake_scale --data-dir /tmp/bigday --products 100000 --shoppers 20000 \
        --days 30 [--events 10000000] [--dag]

Spark runs on settings.spark_master (`local[2]`, or the cluster's with STORE_SPARK_MASTER);
DuckDB gets as many threads as local Spark has cores. The twin's tables must equal Spark's row
for row, or the figures mean nothing and the run fails. `--dag` then runs the whole store_loop
DAG on the data dir (dag.test()) and times each task. Figures go to lake_scale.json in the
reports of `make up`'s data dir (STORE_DATA_DIR), not this scratch one.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from benchmarks import lake_duckdb, synthetic_lake
from benchmarks.duckdb_silver import TABLES as DUCKDB_TABLES
from benchmarks.measure import machine
from benchmarks.reports import headline, write_report
from storeloop.settings import Settings


def timed(step: Callable[[], Any]) -> tuple[Any, float]:
    began = time.perf_counter()
    result = step()
    return result, round(time.perf_counter() - began, 2)


def rate(events: int, seconds: float) -> int:
    return round(events / seconds) if seconds else 0


def main(argv: list[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    reports = Settings()  # read before --dag points STORE_DATA_DIR at the scratch dir
    settings = Settings(data_dir=args.data_dir)
    settings.ensure_dirs()
    shape = synthetic_lake.shape_of(args)
    figures: dict[str, Any] = {"machine": machine(), "shape": synthetic_lake.describe(shape)}
    print(f"machine: {_machine_line(figures['machine'])}")
    bronze = settings.lake_dir / "bronze" / "events"
    if args.reuse and any(bronze.glob("dt=*/*.parquet")):
        print(f"reusing the bronze lake under {bronze}")
        figures["shape"] = f"reused {bronze}"  # whatever wrote it, not these arguments
        written = {"events": _count_rows(bronze)}
    else:
        print(f"generating {figures['shape']}")
        written, seconds = timed(lambda: synthetic_lake.write_lake(args.data_dir, shape, print))
        written.update(seconds=seconds, events_per_s=rate(written["events"], seconds))
        print(f"generated {written['events']:,} events in {seconds} s")
    figures["bronze"] = written
    events = written["events"]
    if args.engines:
        threads = args.duckdb_threads or _local_cores(settings.spark_master) or os.cpu_count() or 1
        con = lake_duckdb.connect(threads, args.duckdb_memory, settings.root / "bench" / "spill")
        figures.update(_silver(settings, con, threads, events))
        if args.gold:
            figures.update(_gold(settings, con, events))
    if args.dag:
        figures["dag"] = _dag(settings)
    figures["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    figures["command"] = " ".join(["python -m benchmarks.lake_scale", *(argv or sys.argv[1:])])
    ranking_equal = figures.get("ranking_examples", {"equal": True})["equal"]
    figures["headline"] = headline(
        f"silver, Spark {settings.spark_master}, all tables",
        figures.get("silver_spark", {}).get("seconds"),
        figures.get("silver_duckdb", {}).get("seconds"),
        reference_name="DuckDB twin, same bronze", unit="s",
        goal="every table equal row for row",
        met=bool(figures.get("silver_equal")) and ranking_equal if args.engines else None,
    )  # fmt: skip
    write_report("lake_scale", figures, reports)
    print(f"load average after: {figures['load_average_after']}")
    print(f"command: {figures['command']}")
    if not figures.get("silver_equal", True) or not ranking_equal:
        raise SystemExit(1)


def _silver(settings: Settings, con: Any, threads: int, events: int) -> dict[str, Any]:
    from quality.checks import check_silver, gate_bronze
    from spark_jobs.silver import build_silver

    gate, gate_s = timed(lambda: gate_bronze(settings))
    print(f"bronze gate (pandas + GX on the driver): {gate_s} s, quarantined {gate['quarantined']}")
    spark, start_s = timed(lambda: _spark(settings))
    spark_rows, spark_s = timed(lambda: build_silver(settings, spark))
    duck_dir = settings.root / "bench" / "duckdb" / "silver"
    bronze = settings.lake_dir / "bronze" / "events"
    duck_rows, duck_s = timed(lambda: lake_duckdb.run_silver(con, bronze, duck_dir))
    unequal = {
        table: found
        for table, (_, partitioned) in DUCKDB_TABLES.items()
        if (found := lake_duckdb.differences(
            con, settings.lake_dir / "silver" / table, duck_dir / table, partitioned))
    }  # fmt: skip
    checked, check_s = timed(lambda: check_silver(settings)["success"])
    print(f"silver: {events:,} events, Spark {settings.spark_master} vs DuckDB {threads} threads")
    print(f"  {'table':28} {'rows':>12}  equal")
    for table, rows in spark_rows.items():
        same = "yes" if table not in unequal and rows == duck_rows[table] else "NO"
        print(f"  {table:28} {rows:>12,}  {same}")
    for table, found in unequal.items():
        print(f"  {table}: {'; '.join(found)}")
    print(f"  spark  {spark_s:>8} s  {rate(events, spark_s):>10,} events/s  (+{start_s} s start,"
          f" its log in {settings.root / 'logs' / 'spark.log'})")  # fmt: skip
    print(f"  duckdb {duck_s:>8} s  {rate(events, duck_s):>10,} events/s")
    print(f"  check_silver (pandas + GX): {check_s} s, passed {checked}")
    return {
        "bronze_gate_s": gate_s,
        "bronze_quarantined": gate["quarantined"],
        "spark_master": settings.spark_master,
        "spark_start_s": start_s,
        "silver_spark": {"seconds": spark_s, "events_per_s": rate(events, spark_s)},
        "silver_duckdb": {
            "threads": threads,
            "seconds": duck_s,
            "events_per_s": rate(events, duck_s),
        },
        "silver_rows": spark_rows,
        "silver_equal": not unequal and spark_rows == duck_rows,
        "silver_differences": unequal,
        "check_silver": {"seconds": check_s, "passed": checked},
        "load_average_after_silver": [round(x, 2) for x in os.getloadavg()],
    }


def _gold(settings: Settings, con: Any, events: int) -> dict[str, Any]:
    """The gold job as the DAG runs it, then its ranking_examples alone in both engines (the
    DuckDB twin covers that table only) from the same silver."""
    from quality.checks import check_gold
    from spark_jobs.gold import run_gold

    spark = _spark(settings)
    rows, seconds = timed(lambda: run_gold(settings, spark))
    checked, check_s = timed(lambda: check_gold(settings)["success"])
    bench = settings.root / "bench"
    _, spark_s = timed(lambda: spark_ranking_examples(settings, spark, bench / "spark"))
    silver = settings.lake_dir / "silver"
    out = bench / "duckdb" / "gold" / "ranking_examples"
    duck_rows, duck_s = timed(lambda: lake_duckdb.run_ranking_examples(con, silver, out))
    gold = settings.lake_dir / "gold" / "ranking_examples"
    unequal = lake_duckdb.differences(con, gold, out, partitioned=True)
    same = not unequal and duck_rows == rows["ranking_examples"]
    print(f"gold: Spark {seconds} s for every table ({rate(events, seconds):,} bronze events/s)")
    for table, count in rows.items():
        print(f"  {table:28} {count:>12,}")
    print(f"  check_gold (pandas + GX): {check_s} s, passed {checked}")
    print(f"  ranking_examples alone: spark {spark_s} s, duckdb {duck_s} s,"
          f" equal {'yes' if same else 'NO: ' + '; '.join(unequal)}")  # fmt: skip
    return {
        "gold_spark": {"seconds": seconds, "rows": rows},
        "check_gold": {"seconds": check_s, "passed": checked},
        "ranking_examples": {"spark_s": spark_s, "duckdb_s": duck_s, "equal": same},
        "load_average_after_gold": [round(x, 2) for x in os.getloadavg()],
    }


def spark_ranking_examples(settings: Settings, spark: Any, out: Path) -> int:
    from spark_jobs.gold_inputs import Silver
    from spark_jobs.gold_labels import build_ranking_examples
    from spark_jobs.lake import write_table

    examples = build_ranking_examples(Silver.read(spark, settings))
    return write_table(examples, out / "ranking_examples", partitioned=True)


def _dag(settings: Settings) -> dict[str, Any]:
    """The whole store_loop on this data dir, as `make up` runs it (dag.test()), with the
    sandbox analytics service its export task sends to. The tasks' own chatter (Feast, MLflow,
    model loading) goes to logs/store_loop.log."""
    from launch.airflow_runner import run_dag
    from warehouse.analytics_receiver import start_receiver

    receiver = start_receiver(settings, port=0)
    os.environ["STORE_ANALYTICS_URL"] = receiver.url  # the DAG's tasks build Settings() anew
    log = settings.root / "logs" / "store_loop.log"
    try:
        with _output_to(log, 1, 2):
            result, seconds = timed(lambda: run_dag(settings))
    finally:
        receiver.stop()
    print(f"dag store_loop: {result.state} in {seconds} s (its output in {log})")
    ordered = sorted(result.tasks.items(), key=lambda item: -(item[1]["seconds"] or 0.0))
    for task, info in ordered:
        print(f"  {task:20} {info['state']:10} {info['seconds'] or 0:>8.1f} s")
    return {
        "state": result.state,
        "seconds": seconds,
        "tasks": {
            task: {"state": info["state"], "seconds": info["seconds"]} for task, info in ordered
        },
    }


@contextmanager
def _output_to(log: Path, *descriptors: int) -> Iterator[None]:
    """Points these file descriptors at `log` (appending), for what child processes and native
    libraries write there too, then back."""
    log.parent.mkdir(parents=True, exist_ok=True)
    sys.stdout.flush()
    sys.stderr.flush()
    saved = [os.dup(fd) for fd in descriptors]
    with log.open("ab") as sink:
        for fd in descriptors:
            os.dup2(sink.fileno(), fd)
        try:
            yield
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            for fd, copy in zip(descriptors, saved, strict=True):
                os.dup2(copy, fd)
                os.close(copy)


def _spark(settings: Settings) -> Any:
    """The JVM's start-up chatter (incubator modules, log4j profile, loopback address) and its
    later WARN lines go to logs/spark.log: the JVM inherits stderr as it is when it starts."""
    from spark_jobs.session import spark_session

    with _output_to(settings.root / "logs" / "spark.log", 2):
        return spark_session(settings)


def _local_cores(master: str) -> int | None:
    found = re.fullmatch(r"local\[(\d+)\]", master)
    return int(found.group(1)) if found else None


def _count_rows(folder: Path) -> int:
    import pyarrow.dataset as ds

    return ds.dataset(folder, format="parquet", partitioning="hive").count_rows()


def _machine_line(found: dict) -> str:
    load = " ".join(str(x) for x in found["load_average"])
    return f"{found['cores']} cores, {found['cpu']}, load average {load}"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    synthetic_lake.add_shape_arguments(parser)
    parser.add_argument("--reuse", action="store_true", help="keep a bronze lake already there")
    parser.add_argument("--no-gold", dest="gold", action="store_false")
    parser.add_argument("--dag", action="store_true", help="then run store_loop on the data dir")
    parser.add_argument(
        "--no-engines", dest="engines", action="store_false",
        help="skip Spark against DuckDB (with --reuse --dag: the DAG alone on a lake made before)",
    )  # fmt: skip
    parser.add_argument("--duckdb-threads", type=int, default=0, help="0: Spark's local cores")
    parser.add_argument("--duckdb-memory", default="4GB")
    return parser


if __name__ == "__main__":
    main()
