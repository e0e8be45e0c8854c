"""Every table of the store on one MetaData, and the one way to bring a database up to date."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, text

# Importing a repository registers its tables on the shared MetaData; these are not otherwise used.
from transactional.cart import repository as _cart_tables  # noqa: F401
from transactional.catalog import categories as _category_tables  # noqa: F401
from transactional.catalog import offer_repository as _offer_tables  # noqa: F401
from transactional.catalog import repository as _catalog_tables  # noqa: F401
from transactional.catalog import review_repository as _review_tables  # noqa: F401
from transactional.common import ids as _id_tables  # noqa: F401
from transactional.common import outbox as _outbox_table  # noqa: F401
from transactional.common.db import metadata
from transactional.inventory import repository as _stock_tables  # noqa: F401
from transactional.inventory import reservations as _reservation_tables  # noqa: F401
from transactional.orders import payouts as _payout_tables  # noqa: F401
from transactional.orders import repository as _order_tables  # noqa: F401
from transactional.payments import intents as _intent_tables  # noqa: F401
from transactional.payments import receipts as _webhook_tables  # noqa: F401
from transactional.payments import repository as _payment_tables  # noqa: F401
from transactional.shipping import repository as _shipping_tables  # noqa: F401
from transactional.shipping import tracking as _tracking_tables  # noqa: F401
from transactional.storefront import repository as _search_tables  # noqa: F401
from transactional.users import mfa_repository as _mfa_tables  # noqa: F401
from transactional.users import repository as _user_tables  # noqa: F401
from transactional.users import reset_tokens as _reset_tables  # noqa: F401

__all__ = ["alembic_config", "create_schema", "metadata", "upgrade"]

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# Any fixed number: the key of the advisory lock that lets one process migrate at a time.
MIGRATION_LOCK_KEY = 7_301_003


def alembic_config(db_url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if db_url:
        # ConfigParser interpolation: a literal % in a password must be doubled.
        config.set_main_option("sqlalchemy.url", db_url.replace("%", "%%"))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """`alembic upgrade` on this engine, in one transaction (PostgreSQL DDL is transactional)."""
    config = alembic_config()
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # Two processes starting together must not both create the tables.
            connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": MIGRATION_LOCK_KEY})
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def create_schema(engine: Engine) -> None:
    """PostgreSQL: the Alembic migrations. SQLite (embedded, throwaway): create_all from the
    same MetaData, which the migrations are tested to match."""
    if engine.dialect.name == "sqlite":
        metadata.create_all(engine)
    else:
        upgrade(engine)
