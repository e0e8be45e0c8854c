"""The Alembic migrations build exactly the schema the code declares, with its guarantees."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import IntegrityError

from transactional.schema import alembic_config, metadata, upgrade

pytestmark = pytest.mark.postgres


def test_migrated_postgres_schema_matches_the_metadata(postgres_url):
    engine = create_engine(postgres_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, metadata) == []
            tables = set(inspect(connection).get_table_names())
        assert {t.name for t in metadata.sorted_tables} | {"alembic_version"} == tables
    finally:
        engine.dispose()


def test_stock_check_and_unique_keys_hold_in_postgres(pg_store):
    with (
        pytest.raises(IntegrityError, match="stock_never_negative"),
        pg_store.engine.begin() as connection,
    ):
        connection.execute(text("INSERT INTO stock VALUES ('p-1', -1)"))
    insert_order = text(
        "INSERT INTO orders VALUES (:id, 'c-1', 'paid', 'USD', 100, 'key-1', 't', 't')"
    )
    with pg_store.engine.begin() as connection:
        connection.execute(insert_order, {"id": "o-1"})
    with (
        pytest.raises(IntegrityError, match="one_order_per_idempotency_key"),
        pg_store.engine.begin() as connection,
    ):
        connection.execute(insert_order, {"id": "o-2"})


def test_downgrade_to_base_and_upgrade_again(postgres_url):
    engine = create_engine(postgres_url)
    config = alembic_config(postgres_url)
    try:
        command.downgrade(config, "base")
        with engine.connect() as connection:
            assert set(inspect(connection).get_table_names()) == {"alembic_version"}
        upgrade(engine)
        upgrade(engine)  # a second run at head changes nothing
        with engine.connect() as connection:
            assert "outbox" in inspect(connection).get_table_names()
            version = connection.execute(text("SELECT version_num FROM alembic_version"))
            assert version.scalar_one() == ScriptDirectory.from_config(config).get_current_head()
            default = connection.execute(
                text(
                    "SELECT column_default FROM information_schema.columns"
                    " WHERE table_name = 'outbox' AND column_name = 'position'"
                    " AND table_schema = current_schema()"
                )
            ).scalar_one()
            assert default == "outbox_next_position()"  # the id before the position
    finally:
        engine.dispose()
