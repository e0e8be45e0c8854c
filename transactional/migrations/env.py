"""Alembic environment: the store's MetaData; the connection is handed in by
`transactional.schema.upgrade`, or built from `sqlalchemy.url` / STORE_DATABASE_URL for the CLI."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from transactional.common.db import make_engine
from transactional.schema import metadata

config = context.config


def _run(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=metadata, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


def _run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        from storeloop.settings import Settings

        url = Settings().db_url
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            _run(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()
else:
    _run_online()
