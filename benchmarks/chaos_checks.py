"""What must hold after the chaos, once every consumer has caught up: the store's invariants
(launch.invariants: one capture per paid order and the reverse, orders = OrderPlaced events,
stock never negative and equal to its last event), the lake's (outbox = bronze = what silver
holds, silver built here by spark-submit), the search index = the live catalog, and one more
that only a run with a payment provider can check: the provider's captures are the store's."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import create_engine, text

from benchmarks.outbox_integrity import submit_silver
from launch.invariants import Check, Checks, check_search_index, check_store
from launch.lake_invariants import check_lake
from storeloop.settings import Settings


def after_chaos(url: str, settings: Settings, spark_master: str) -> Checks:
    submit_silver(settings.data_dir, spark_master)
    return {
        **check_store(url),
        **check_lake(url, settings.lake_dir),
        **check_search_index(url, settings.search_index_dir),
        "provider_captures_are_the_stores": provider_captures(url, settings),
    }


def provider_captures(url: str, settings: Settings) -> Check:
    """The sandbox provider's own ledger (its own file: it outlives the store's crashes) against
    the store's payments: a capture the store does not know is money taken for nothing."""
    engine = create_engine(url)
    with engine.connect() as connection:
        store = set(
            connection.execute(
                text("SELECT gateway_ref FROM payments WHERE status = 'captured'")
            ).scalars()
        )
    engine.dispose()
    provider = _provider_captures(settings.data_dir / "sandbox_payments.db")
    unknown = sorted(provider - store)
    detail = f"provider {len(provider)} captures, store {len(store)}"
    if unknown or provider != store:
        detail += (
            f"; unknown to the store {unknown[:5]}, not at the provider {len(store - provider)}"
        )
    return Check(provider == store, detail)


def _provider_captures(ledger: Path) -> set[str]:
    with sqlite3.connect(ledger) as db:
        rows = db.execute("SELECT gateway_ref FROM sandbox_payments WHERE status = 'captured'")
        return {row[0] for row in rows}
