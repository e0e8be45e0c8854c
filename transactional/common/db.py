"""One SQLAlchemy engine per store: SQLite (WAL) by default; portable SQL, so PostgreSQL works."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, MetaData, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.pool import StaticPool

# Every context's tables hang off this one MetaData so bootstrap can create them together.
# Named constraints: the migrations then read the same on SQLite and PostgreSQL, and a later
# migration can drop a constraint by a name it knows.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_name)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

READ_ONLY = {"store_read_only": True}

SQLITE_BUSY_TIMEOUT_MS = 10_000
POOL_SIZE = 40
POOL_OVERFLOW = 10
POOL_RECYCLE_S = 1800


def make_engine(db_url: str) -> Engine:
    url = make_url(db_url)
    if url.get_backend_name() != "sqlite":
        # Server databases: the conditional UPDATEs and row locks do the concurrency work.
        # No pre-ping (a round trip per checkout, ~15% of an order): connections are recycled
        # before servers or proxies drop idle ones, and a dead one fails its unit of work,
        # which rolls back whole. The pool holds more connections than a gateway worker runs
        # request threads (settings.gateway_threads) with the launcher's consumers beside them:
        # overflow connections are closed on return, and opening one (a server process) costs
        # more than the order itself. Connections open on demand; LIFO keeps the few warm ones
        # (and their prepared statements) in use.
        return create_engine(
            url,
            pool_size=POOL_SIZE,
            max_overflow=POOL_OVERFLOW,
            pool_recycle=POOL_RECYCLE_S,
            pool_use_lifo=True,
        )
    database = url.database or ":memory:"
    in_memory = database == ":memory:" or database.startswith("file::memory:")
    kwargs: dict[str, Any] = {"connect_args": {"check_same_thread": False}}
    if in_memory:
        # One shared connection, or every new connection would see its own empty database.
        kwargs["poolclass"] = StaticPool
    else:
        # The store's own directory, created when the store is built, never at import.
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, **kwargs)
    _tune_sqlite(engine)
    return engine


def _tune_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when a transaction begins (see _on_begin).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Writers take the write lock up front: a deferred transaction that reads and then
        # writes fails at once with SQLITE_BUSY when another writer got there first.
        if connection.get_execution_options().get("store_read_only"):
            connection.exec_driver_sql("BEGIN")
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
