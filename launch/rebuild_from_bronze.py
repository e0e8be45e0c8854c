"""Rebuild from bronze alone: silver and gold (the same Spark jobs on a copy of bronze), the Feast
online store (materialised from the rebuilt gold) and the search index (the indexer replaying
bronze instead of the outbox), in a scratch directory; then compare each with what the running
system had.

    .venv/bin/python -m launch.rebuild_from_bronze [--data-dir ./var] [--scratch DIR] [--keep]

Like with like: silver and gold were built from the bronze of their time, recorded in
`lake/<layer>/_bronze_mark.json`, so bronze is cut at that mark; the search index is rebuilt up
to the position in its indexer's checkpoint. Exit status 1 when any part differs.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import shutil
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from storeloop.settings import Settings

# Columns left out of the comparison because they say when a thing was built, not what it
# holds. Silver and gold have none today; Feast's online rows carry their write time.
EXCLUDED_LAKE_COLUMNS: dict[str, tuple[str, ...]] = {}
EXCLUDED_ONLINE_COLUMNS = ("created_ts",)
# Written online by the fresh-signal consumer from events past gold's mark too: compared and
# reported, but a difference there is expected on a store that kept running and fails nothing.
PUSHED_VIEWS = ("shopper_activity",)
SAMPLE = 5


def cut_bronze(source_lake: Path, target_lake: Path, max_position: int) -> dict[str, int]:
    """Copies `bronze/events` with only the rows at or below `max_position` (whole files where
    they lie below it, filtered files where a batch straddles it)."""
    source, target = source_lake / "bronze" / "events", target_lake / "bronze" / "events"
    shutil.rmtree(target, ignore_errors=True)
    files = rows = 0
    for path in sorted(source.glob("dt=*/*.parquet")):
        table = pq.read_table(path)
        kept = table.filter(pc.less_equal(table.column("position"), max_position))
        if kept.num_rows == 0:
            continue
        out = target / path.parent.name / path.name
        out.parent.mkdir(parents=True, exist_ok=True)
        if kept.num_rows == table.num_rows:
            shutil.copy2(path, out)
        else:
            pq.write_table(kept, out)
        files += 1
        rows += kept.num_rows
    return {"files": files, "rows": rows, "max_position": max_position}


def table_digest(path: Path, excluded: tuple[str, ...] = ()) -> dict[str, Any]:
    """Rows and a digest of a Parquet table as a multiset of rows: file layout, partitioning
    and row order do not count; floats are compared to 12 significant digits (Spark's sums may
    add in another order)."""
    if not path.exists():
        return {"rows": 0, "sha256": None, "lines": Counter()}
    table = ds.dataset(path, format="parquet", partitioning="hive").to_table()
    table = table.drop_columns([c for c in excluded if c in table.column_names])
    columns = sorted(table.column_names)
    lines = Counter(
        json.dumps([_canonical(row[c]) for c in columns], default=str)
        for row in table.select(columns).to_pylist()
    )
    digest = hashlib.sha256()
    for line in sorted(lines.elements()):
        digest.update(line.encode() + b"\n")
    return {"rows": table.num_rows, "sha256": digest.hexdigest(), "lines": lines}


def _canonical(value: Any) -> Any:
    if isinstance(value, float):
        return None if math.isnan(value) else float(f"{value:.12g}")
    if isinstance(value, list):
        return [_canonical(item) for item in value]
    if isinstance(value, dict):
        return {key: _canonical(item) for key, item in sorted(value.items())}
    return value


def compare_tables(running: Path, rebuilt: Path, layer: str) -> dict[str, Any]:
    names = sorted(
        {p.name for p in (running / layer).glob("*") if p.is_dir()}
        | {p.name for p in (rebuilt / layer).glob("*") if p.is_dir()}
    )
    tables = {}
    for name in names:
        excluded = EXCLUDED_LAKE_COLUMNS.get(name, ())
        before = table_digest(running / layer / name, excluded)
        after = table_digest(rebuilt / layer / name, excluded)
        tables[name] = {
            "equal": before["sha256"] == after["sha256"],
            "rows": {"running": before["rows"], "rebuilt": after["rows"]},
            "only_running": sum((before["lines"] - after["lines"]).values()),
            "only_rebuilt": sum((after["lines"] - before["lines"]).values()),
            "sha256": after["sha256"],
        }
    return {"equal": all(t["equal"] for t in tables.values()), "tables": tables}


def online_rows(feast_dir: Path) -> dict[str, Counter[tuple[Any, ...]]]:
    """Every row of Feast's SQLite online store by table, without its write time."""
    path = feast_dir / "online.db"
    if not path.exists():
        return {}
    found: dict[str, Counter[tuple[Any, ...]]] = {}
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
        names = [
            row[0]
            for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        ]
        for name in names:
            columns = [
                row[1]
                for row in connection.execute(f'PRAGMA table_info("{name}")')
                if row[1] not in EXCLUDED_ONLINE_COLUMNS
            ]
            listed = ", ".join(f'"{c}"' for c in columns)
            rows = connection.execute(f'SELECT {listed} FROM "{name}"')  # noqa: S608 - names from sqlite_master
            found[name] = Counter(tuple(row) for row in rows)
    return found


def compare_online(running: Path, rebuilt: Path) -> dict[str, Any]:
    before, after = online_rows(running), online_rows(rebuilt)
    tables = {}
    for name in sorted(set(before) | set(after)):
        b, a = before.get(name, Counter()), after.get(name, Counter())
        entities_b = {row[0] for row in b}
        entities_a = {row[0] for row in a}
        tables[name] = {
            "equal": a == b,
            "rows": {"running": sum(b.values()), "rebuilt": sum(a.values())},
            "entities": {"running": len(entities_b), "rebuilt": len(entities_a)},
            "rows_differ": sum(((b - a) + (a - b)).values()),
            "pushed": any(name.endswith(f"_{view}") for view in PUSHED_VIEWS),
        }
    gating = [t for t in tables.values() if not t["pushed"]]
    return {"equal": bool(tables) and all(t["equal"] for t in gating), "tables": tables}


def compare_search(running: Path, rebuilt: Path) -> dict[str, Any]:
    from launch.invariants import index_documents
    from serving.search.index.tantivy_index import TantivyIndex

    docs = {}
    for side, root in (("running", running), ("rebuilt", rebuilt)):
        index = TantivyIndex(root)
        try:
            docs[side] = index_documents(index)
        finally:
            index.close()
    before, after = docs["running"], docs["rebuilt"]
    differ = sorted(p for p in set(before) | set(after) if before.get(p) != after.get(p))
    return {
        "equal": not differ,
        "documents": {"running": len(before), "rebuilt": len(after)},
        "differ": len(differ),
        "differ_sample": differ[:SAMPLE],
    }


def rebuild(
    source: Settings,
    scratch: Path,
    spark: Any = None,
    parts: tuple[str, ...] = ("lake", "feast", "search"),
) -> dict[str, Any]:
    """Rebuilds the parts into `scratch` from `source`'s bronze and compares them with
    `source`'s; returns the report (`equal` per part and overall, timings)."""
    from spark_jobs.lake import read_bronze_mark

    started = time.perf_counter()
    target = Settings(data_dir=scratch, spark_master=source.spark_master)
    target.ensure_dirs()
    report: dict[str, Any] = {"source": str(source.root), "scratch": str(target.root)}
    silver_mark = read_bronze_mark(source.lake_dir, "silver")
    gold_mark = read_bronze_mark(source.lake_dir, "gold")
    report["marks"] = {"silver": silver_mark, "gold": gold_mark}
    if "lake" in parts or "feast" in parts:
        if silver_mark is None or gold_mark is None:
            raise SystemExit(
                "silver or gold has no _bronze_mark.json: run silver and gold once with this"
                " version of the jobs, then rebuild"
            )
        report["lake"] = _rebuild_lake(source, target, silver_mark, gold_mark, spark)
    if "feast" in parts:
        report["feast"] = _rebuild_feast(source, target)
    if "search" in parts:
        report["search"] = _rebuild_search(source, target)
    compared = [report[part] for part in parts]
    report["equal"] = all(part["equal"] for part in compared)
    report["total_s"] = round(time.perf_counter() - started, 2)
    report["load_average_1m"] = round(os.getloadavg()[0], 2)
    return report


def _rebuild_lake(
    source: Settings, target: Settings, silver_mark: dict, gold_mark: dict, spark: Any
) -> dict[str, Any]:
    from spark_jobs.gold import run_gold
    from spark_jobs.session import spark_session
    from spark_jobs.silver import run_silver

    spark = spark or spark_session(target)
    part: dict[str, Any] = {}
    cut = cut_bronze(source.lake_dir, target.lake_dir, silver_mark["max_position"])
    # Fewer rows than the mark: bronze lost rows since (or a partition was quarantined later).
    part["bronze_for_silver"] = {**cut, "mark_rows": silver_mark["rows"]}
    started = time.perf_counter()
    run_silver(target, spark)
    part["silver_s"] = round(time.perf_counter() - started, 2)
    if gold_mark.get("silver") != silver_mark:
        part["note"] = "gold was built from another silver than the one on disk"
    if gold_mark["max_position"] != silver_mark["max_position"]:
        cut = cut_bronze(source.lake_dir, target.lake_dir, gold_mark["max_position"])
    part["bronze_for_gold"] = {**cut, "mark_rows": gold_mark["rows"]}
    started = time.perf_counter()
    run_gold(target, spark)
    part["gold_s"] = round(time.perf_counter() - started, 2)
    part["silver"] = compare_tables(source.lake_dir, target.lake_dir, "silver")
    part["gold"] = compare_tables(source.lake_dir, target.lake_dir, "gold")
    part["equal"] = (
        part["silver"]["equal"]
        and part["gold"]["equal"]
        and part["bronze_for_silver"]["rows"] == silver_mark["rows"]
        and part["bronze_for_gold"]["rows"] == gold_mark["rows"]
    )
    return part


def _rebuild_feast(source: Settings, target: Settings) -> dict[str, Any]:
    from features.store import materialize

    if source.feast_online_store != "sqlite":
        raise SystemExit("the rebuild compares Feast's SQLite online store (the embedded default)")
    started = time.perf_counter()
    materialize(target)
    compared = compare_online(source.feast_dir, target.feast_dir)
    return {**compared, "seconds": round(time.perf_counter() - started, 2)}


def _rebuild_search(source: Settings, target: Settings) -> dict[str, Any]:
    from consumers.bronze_feed import BronzeFeed
    from consumers.checkpoint import FileCheckpoint
    from serving.search.indexer import NAME
    from serving.search.reindex import reindex

    started = time.perf_counter()
    position = FileCheckpoint(source.checkpoint_dir, NAME).position
    feed = BronzeFeed(source.lake_dir / "bronze" / "events", up_to_position=position)
    covered = feed.last_position
    built = reindex(target, feed=feed)
    compared = compare_search(source.search_index_dir, target.search_index_dir)
    return {
        **compared,
        # Bronze behind the indexer: the lake writer had not landed what the index applied.
        "equal": compared["equal"] and covered == position,
        "indexer_position": position,
        "bronze_position": covered,
        "events_applied": built["events_applied"],
        "seconds": round(time.perf_counter() - started, 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, help="the running system's (STORE_DATA_DIR)")
    parser.add_argument("--scratch", type=Path, help="where to rebuild (default: a temp dir)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch directory")
    parser.add_argument(
        "--parts", default="lake,feast,search", help="comma-separated: lake, feast, search"
    )
    args = parser.parse_args(argv)
    source = Settings(data_dir=args.data_dir) if args.data_dir else Settings()
    scratch = args.scratch or Path(tempfile.mkdtemp(prefix="rebuild-from-bronze-"))
    parts = tuple(p.strip() for p in args.parts.split(",") if p.strip())
    try:
        report = rebuild(source, scratch, parts=parts)
    finally:
        if not args.keep:
            shutil.rmtree(scratch, ignore_errors=True)
    report["command"] = " ".join(
        [".venv/bin/python -m launch.rebuild_from_bronze", *(argv or sys.argv[1:])]
    )
    source.reports_dir.mkdir(parents=True, exist_ok=True)
    path = source.reports_dir / "rebuild_from_bronze.json"
    path.write_text(json.dumps(report, indent=2, default=str) + "\n")
    print_report(report)
    print(f"report: {path}")
    return 0 if report["equal"] else 1


def print_report(report: dict[str, Any]) -> None:
    def word(equal: bool) -> str:
        return "equal" if equal else "DIFFERENT"

    print(f"rebuild from bronze of {report['source']}")
    if "lake" in report:
        lake = report["lake"]
        for layer in ("silver", "gold"):
            print(f"  {layer} ({lake[f'{layer}_s']} s): {word(lake[layer]['equal'])}")
            for name, table in lake[layer]["tables"].items():
                rows = table["rows"]
                print(
                    f"    {name}: {word(table['equal'])}, rows {rows['running']} running,"
                    f" {rows['rebuilt']} rebuilt"
                    + (
                        ""
                        if table["equal"]
                        else f" ({table['only_running']} only running,"
                        f" {table['only_rebuilt']} only rebuilt)"
                    )
                )
        print(
            f"  bronze cut for silver {lake['bronze_for_silver']}, gold {lake['bronze_for_gold']}"
        )
    if "feast" in report:
        feast = report["feast"]
        print(f"  feast online ({feast['seconds']} s): {word(feast['equal'])}")
        for name, table in feast["tables"].items():
            pushed = " (pushed by the fresh-signal consumer: not gating)" if table["pushed"] else ""
            print(f"    {name}: {word(table['equal'])}, {table['entities']} entities{pushed}")
    if "search" in report:
        search = report["search"]
        print(
            f"  search index ({search['seconds']} s): {word(search['equal'])},"
            f" documents {search['documents']}, up to position {search['indexer_position']}"
            f" (bronze reaches {search['bronze_position']})"
        )
    print(
        f"rebuild {word(report['equal'])} in {report['total_s']} s,"
        f" load average {report['load_average_1m']}"
    )


if __name__ == "__main__":
    raise SystemExit(main())
