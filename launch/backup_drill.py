"""Backup and restore drill for the store's PostgreSQL: `pg_dump` (custom format) to a file under
the data dir, `pg_restore` into a fresh scratch database, then compare the two (every table's
rows and content digest, sequences, the Alembic version) and check the store's invariants on the
restored copy. The scratch database is dropped at the end.

    .venv/bin/python -m launch.backup_drill [DATABASE_URL]

The URL defaults to STORE_TEST_DATABASE_URL (`source scripts/services.sh`). A URL whose options
set a search_path (`?options=-csearch_path=drill_x`) drills that schema only. The role needs
CREATEDB; the password goes to pg_dump and pg_restore through PGPASSWORD, never the command line.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url

from launch.invariants import as_json, check_store, failed, print_checks
from storeloop.settings import Settings

_SEARCH_PATH = re.compile(r"-c\s*search_path=([A-Za-z_][A-Za-z0-9_]*)")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
OBJECT_IN_USE = "55006"  # SQLSTATE: the database is being accessed by other users


def pg_bin(tool: str) -> str:
    """The tool of the newest PostgreSQL under /usr/lib/postgresql, else the one on PATH."""
    root = Path("/usr/lib/postgresql")
    versions = sorted(
        (p for p in root.glob("*/bin") if p.parent.name.isdigit()),
        key=lambda p: int(p.parent.name),
    )
    for folder in reversed(versions):
        if (folder / tool).exists():
            return str(folder / tool)
    return tool


@dataclass(frozen=True)
class Target:
    """One PostgreSQL database, and the schema the drill covers (None: every user schema)."""

    url: URL
    schema: str | None

    @classmethod
    def parse(cls, url: str) -> Target:
        parsed = make_url(url)
        if parsed.get_backend_name() != "postgresql":
            raise SystemExit(f"the backup drill needs a PostgreSQL URL, not {parsed.drivername}")
        options = parsed.query.get("options", "")
        found = _SEARCH_PATH.search(options if isinstance(options, str) else " ".join(options))
        return cls(parsed, found.group(1) if found else None)

    @property
    def sqlalchemy_url(self) -> str:
        return self.url.render_as_string(hide_password=False)

    def on_database(self, database: str) -> Target:
        return Target(self.url.set(database=database), self.schema)

    def libpq_args(self) -> list[str]:
        return [
            "--host", self.url.host or "127.0.0.1", "--port", str(self.url.port or 5432),
            "--username", self.url.username or "postgres", "--dbname", self.url.database or "",
        ]  # fmt: skip

    def env(self) -> dict[str, str]:
        return {**os.environ, "PGPASSWORD": self.url.password or ""}  # type: ignore[dict-item]


def dump(source: Target, path: Path) -> float:
    path.parent.mkdir(parents=True, exist_ok=True)
    command = [pg_bin("pg_dump"), "--format=custom", "--file", str(path), *source.libpq_args()]
    if source.schema:
        command += ["--schema", source.schema]
    return _run(command, source.env())


def restore(target: Target, path: Path) -> float:
    command = [
        pg_bin("pg_restore"), "--exit-on-error", "--no-owner", "--single-transaction",
        *target.libpq_args(), str(path),
    ]  # fmt: skip
    return _run(command, target.env())


def _run(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True)  # noqa: S603
    if done.returncode != 0:
        raise SystemExit(
            f"{Path(command[0]).name} failed ({done.returncode}): {done.stderr[-2000:]}"
        )
    return time.perf_counter() - started


def create_database(server: Target, name: str) -> None:
    _admin(server, f'CREATE DATABASE "{_checked(name)}"')


def drop_database(server: Target, name: str) -> None:
    """Plain DROP first: it ends an autovacuum worker on the database by itself, where FORCE
    refuses a role that is no superuser (the worker is not its process), as it did after a
    restore. FORCE only when a session is still on it (one of ours, which it may end)."""
    statement = f'DROP DATABASE IF EXISTS "{_checked(name)}"'
    try:
        _admin(server, statement)
    except sa.exc.OperationalError as error:
        if getattr(error.orig, "sqlstate", None) != OBJECT_IN_USE:
            raise
        _admin(server, f"{statement} WITH (FORCE)")


def _checked(name: str) -> str:
    if not _NAME.match(name):
        raise ValueError(f"not a plain database name: {name!r}")
    return name


def _admin(server: Target, statement: str) -> None:
    # CREATE and DROP DATABASE run outside a transaction, from a connection to another database.
    engine = sa.create_engine(server.sqlalchemy_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(sa.text(statement))
    finally:
        engine.dispose()


def table_digests(target: Target) -> dict[str, dict[str, Any]]:
    """Per table (schema.table): rows and the md5 of every row's text, in primary-key order."""
    engine = sa.create_engine(target.sqlalchemy_url)
    found: dict[str, dict[str, Any]] = {}
    try:
        with engine.connect() as connection:
            for schema, table in _tables(connection, target.schema):
                keys = _primary_key(connection, schema, table)
                qualified = f'"{schema}"."{table}"'
                order = ", ".join(f't."{key}"' for key in keys) if keys else "t::text"
                rows, digest = connection.execute(
                    sa.text(
                        f"SELECT COUNT(*), md5(COALESCE(string_agg(md5(t::text), '' ORDER BY"  # noqa: S608 - names from the catalog
                        f" {order}), '')) FROM {qualified} t"
                    )
                ).one()
                found[f"{schema}.{table}"] = {"rows": int(rows), "md5": digest}
    finally:
        engine.dispose()
    return found


def _tables(connection: sa.Connection, schema: str | None) -> list[tuple[str, str]]:
    query = (
        "SELECT table_schema, table_name FROM information_schema.tables"
        " WHERE table_type = 'BASE TABLE'"
        " AND table_schema NOT IN ('pg_catalog', 'information_schema')"
    )
    params = {}
    if schema:
        query += " AND table_schema = :schema"
        params["schema"] = schema
    rows = connection.execute(sa.text(query + " ORDER BY 1, 2"), params)
    return [(row[0], row[1]) for row in rows]


def _primary_key(connection: sa.Connection, schema: str, table: str) -> list[str]:
    rows = connection.execute(
        sa.text(
            "SELECT a.attname FROM pg_index i"
            " JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)"
            " WHERE i.indrelid = CAST(:qualified AS regclass) AND i.indisprimary"
            " ORDER BY array_position(i.indkey, a.attnum)"
        ),
        {"qualified": f'"{schema}"."{table}"'},
    )
    return [row[0] for row in rows]


def sequences(target: Target) -> dict[str, int | None]:
    engine = sa.create_engine(target.sqlalchemy_url)
    query = "SELECT schemaname, sequencename, last_value FROM pg_sequences"
    params = {}
    if target.schema:
        query += " WHERE schemaname = :schema"
        params["schema"] = target.schema
    try:
        with engine.connect() as connection:
            return {f"{r[0]}.{r[1]}": r[2] for r in connection.execute(sa.text(query), params)}
    finally:
        engine.dispose()


def alembic_version(target: Target) -> str | None:
    engine = sa.create_engine(target.sqlalchemy_url)
    try:
        with engine.connect() as connection:
            if not sa.inspect(connection).has_table("alembic_version", schema=target.schema):
                return None
            return connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
    finally:
        engine.dispose()


def compare(source: Target, restored: Target) -> dict[str, Any]:
    """What differs between the source and the restored copy; empty lists where nothing does."""
    before, after = table_digests(source), table_digests(restored)
    tables = sorted(set(before) | set(after))
    differ = [t for t in tables if before.get(t) != after.get(t)]
    seq_before, seq_after = sequences(source), sequences(restored)
    versions = {"source": alembic_version(source), "restored": alembic_version(restored)}
    return {
        "tables": len(tables),
        "rows": sum(t["rows"] for t in before.values()),
        "tables_differ": {t: {"source": before.get(t), "restored": after.get(t)} for t in differ},
        "sequences_differ": sorted(
            s for s in set(seq_before) | set(seq_after) if seq_before.get(s) != seq_after.get(s)
        ),
        "alembic_version": versions,
        "alembic_version_equal": versions["source"] == versions["restored"],
    }


def run_drill(
    url: str,
    data_dir: Path,
    after_restore: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Dump, restore into a scratch database, compare, check invariants, drop the scratch.

    `after_restore(restored_url)` runs before the comparison: the drill's own test corrupts
    the copy there to see the difference reported."""
    started = time.perf_counter()
    source = Target.parse(url)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    dump_path = data_dir / "backups" / f"{source.url.database}-{stamp}.dump"
    scratch = f"drill_restore_{stamp.lower()}_{os.getpid()}"
    dump_s = dump(source, dump_path)
    create_database(source, scratch)
    restored = source.on_database(scratch)
    try:
        restore_s = restore(restored, dump_path)
        if after_restore is not None:
            after_restore(restored.sqlalchemy_url)
        compared = compare(source, restored)
        checks = check_store(restored.sqlalchemy_url)
    finally:
        drop_database(source, scratch)
    equal = not compared["tables_differ"] and not compared["sequences_differ"]
    ok = equal and compared["alembic_version_equal"] and not failed(checks)
    return {
        "database": source.url.database,
        "schema": source.schema,
        "dump_file": str(dump_path),
        "dump_bytes": dump_path.stat().st_size,
        "dump_s": round(dump_s, 3),
        "restore_s": round(restore_s, 3),
        **compared,
        "invariants": as_json(checks),
        "invariants_failed": failed(checks),
        "restored_equal": equal,
        "ok": ok,
        "total_s": round(time.perf_counter() - started, 3),
        "load_average_1m": round(os.getloadavg()[0], 2),
        "pg_dump": pg_bin("pg_dump"),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "database_url", nargs="?", default=os.environ.get("STORE_TEST_DATABASE_URL")
    )
    parser.add_argument(
        "--data-dir", type=Path, help="where the dump and report go (STORE_DATA_DIR)"
    )
    args = parser.parse_args(argv)
    if not args.database_url:
        parser.error("a PostgreSQL URL (or STORE_TEST_DATABASE_URL: source scripts/services.sh)")
    settings = Settings(data_dir=args.data_dir) if args.data_dir else Settings()
    result = run_drill(args.database_url, settings.root)
    result["command"] = " ".join(
        [".venv/bin/python -m launch.backup_drill", *(argv or sys.argv[1:])]
    )
    result["command"] = result["command"].replace(args.database_url, "<url>")
    settings.reports_dir.mkdir(parents=True, exist_ok=True)
    report = settings.reports_dir / "backup_drill.json"
    report.write_text(json.dumps(result, indent=2) + "\n")
    print(
        f"backup drill of {result['database']}"
        + (f" (schema {result['schema']})" if result["schema"] else "")
        + f": {result['tables']} tables, {result['rows']} rows\n"
        f"dump {result['dump_bytes']} bytes in {result['dump_s']} s ({result['dump_file']}),"
        f" restore {result['restore_s']} s, total {result['total_s']} s,"
        f" load average {result['load_average_1m']}\n"
        f"restored copy equal (rows, content digests, sequences): {result['restored_equal']}"
        f"; differ: {sorted(result['tables_differ']) + result['sequences_differ']}\n"
        f"alembic version {result['alembic_version']}\n"
        "invariants of the restored copy:"
    )
    from launch.invariants import Check

    print_checks({name: Check(**check) for name, check in result["invariants"].items()})
    print(f"report: {report}\ndrill: {'passed' if result['ok'] else 'FAILED'}")
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
