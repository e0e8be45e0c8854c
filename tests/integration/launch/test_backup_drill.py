"""The backup drill on PostgreSQL: a small store dumped, restored into a scratch database and
found equal (rows, content digests, sequences, Alembic version) with its invariants holding;
a row lost in the restored copy is reported; the scratch database is gone afterwards."""

from __future__ import annotations

import json
import uuid

import pytest
from sqlalchemy import create_engine, text

from launch import backup_drill

pytestmark = pytest.mark.postgres


def scratch_databases(url: str) -> list[str]:
    engine = create_engine(url)
    with engine.connect() as connection:
        names = connection.execute(
            text("SELECT datname FROM pg_database WHERE datname LIKE 'drill_restore_%'")
        ).scalars()
        found = list(names)
    engine.dispose()
    return found


def test_a_restored_backup_equals_the_store_and_keeps_its_invariants(
    drill_schema_url, tmp_path, seed_store
):
    seeded = seed_store(drill_schema_url, tmp_path)
    before = scratch_databases(drill_schema_url)
    exit_code = backup_drill.main([drill_schema_url, "--data-dir", str(tmp_path)])
    report = json.loads((tmp_path / "reports" / "backup_drill.json").read_text())
    assert exit_code == 0, report
    assert report["ok"] and report["restored_equal"] and report["invariants_failed"] == []
    assert report["schema"].startswith("drill_")
    orders = (
        next(v for k, v in report["tables_differ"].items()) if report["tables_differ"] else None
    )
    assert orders is None
    assert report["alembic_version"]["source"] is not None
    assert report["alembic_version_equal"]
    assert report["tables"] >= 15 and report["rows"] > len(seeded["orders"])
    assert report["dump_bytes"] > 0 and (tmp_path / "backups").exists()
    assert scratch_databases(drill_schema_url) == before


def test_a_row_lost_in_the_restored_copy_is_reported(drill_schema_url, tmp_path, seed_store):
    seeded = seed_store(drill_schema_url, tmp_path)
    lost = seeded["orders"][0]

    def lose_an_order(restored_url: str) -> None:
        engine = create_engine(restored_url)
        with engine.begin() as connection:
            connection.execute(text("DELETE FROM order_items WHERE order_id = :o"), {"o": lost})
            connection.execute(text("DELETE FROM orders WHERE order_id = :o"), {"o": lost})
        engine.dispose()

    report = backup_drill.run_drill(drill_schema_url, tmp_path, after_restore=lose_an_order)
    assert not report["ok"] and not report["restored_equal"]
    schema = report["schema"]
    differ = report["tables_differ"]
    assert set(differ) == {f"{schema}.orders", f"{schema}.order_items"}
    assert (
        differ[f"{schema}.orders"]["restored"]["rows"]
        == differ[f"{schema}.orders"]["source"]["rows"] - 1
    )
    # The invariants on the copy see it too: an OrderPlaced event without its order.
    assert "orders_match_order_placed" in report["invariants_failed"]


def test_a_scratch_database_with_a_session_still_on_it_is_dropped(drill_schema_url):
    """The plain drop waits for the session, then the forced one ends it (it is our own)."""
    server = backup_drill.Target.parse(drill_schema_url)
    # A name of this run's own: the cluster outlives a run, and so would a database it left.
    name = f"drill_restore_left_open_{uuid.uuid4().hex[:8]}"
    backup_drill.create_database(server, name)
    engine = create_engine(server.on_database(name).sqlalchemy_url)
    held = engine.connect()
    try:
        backup_drill.drop_database(server, name)
        assert name not in scratch_databases(drill_schema_url)
    finally:
        held.invalidate()
        engine.dispose()
