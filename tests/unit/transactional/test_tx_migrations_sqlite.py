"""The migrations also run on SQLite and build what create_all builds: one schema, two ways."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from transactional.common.db import make_engine
from transactional.schema import metadata, upgrade


def test_sqlite_migration_matches_metadata_and_keeps_outbox_positions(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'migrated.db'}")
    try:
        upgrade(engine)
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, metadata) == []
            assert "outbox" in inspect(connection).get_table_names()
            # AUTOINCREMENT: positions are never reused after a delete.
            outbox_sql = connection.execute(
                text("SELECT sql FROM sqlite_master WHERE name = 'outbox'")
            ).scalar_one()
        assert "AUTOINCREMENT" in outbox_sql
    finally:
        engine.dispose()
