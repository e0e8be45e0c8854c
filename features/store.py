"""The store's Feast FeatureStore, configured in code from settings: apply and materialize."""

from __future__ import annotations

import logging
import sqlite3
from datetime import datetime, timedelta
from urllib.parse import unquote, urlsplit

from feast import FeatureStore, RepoConfig
from feast.repo_config import RegistryConfig

from features.activity_online import write_newer
from features.gold import gold_dir, read_gold
from features.repo.definitions import SHOPPER_ACTIVITY, definitions
from storeloop.library_output import prints_to_log
from storeloop.settings import Settings

PROJECT = "store"
FEATURE_TABLES = {"product_features": "product_features", "customer_features": "customer_features"}
# Pushed online by the shopper_activity consumer; materialized from gold only where it is newer.
PUSHED_TABLES = {SHOPPER_ACTIVITY: SHOPPER_ACTIVITY}


def repo_config(settings: Settings) -> RepoConfig:
    return RepoConfig(
        project=PROJECT,
        provider="local",
        registry=RegistryConfig(
            registry_type="file",
            path=str(settings.feast_dir / "registry.db"),
            cache_ttl_seconds=60,
        ),
        online_store=online_store(settings),
        offline_store={"type": "file"},
        # 3 is the only non-deprecated key format in feast 0.67.
        entity_key_serialization_version=3,
    )


def online_store(settings: Settings) -> dict[str, str]:
    if settings.feast_online_store == "sqlite":
        return {"type": "sqlite", "path": str(settings.feast_dir / "online.db")}
    # Feast writes "host:port,password=...,db=N"; the store's one Redis URL says the same.
    url = urlsplit(settings.redis_url)
    parts = [f"{url.hostname or '127.0.0.1'}:{url.port or 6379}"]
    if url.password:
        parts.append(f"password={unquote(url.password)}")
    if url.path.strip("/"):
        parts.append(f"db={url.path.strip('/')}")
    return {"type": "redis", "connection_string": ",".join(parts)}


def feature_store(settings: Settings) -> FeatureStore:
    settings.feast_dir.mkdir(parents=True, exist_ok=True)
    return FeatureStore(config=repo_config(settings), repo_path=str(settings.feast_dir))


def apply(settings: Settings) -> FeatureStore:
    """Registers (or updates) every definition; idempotent."""
    store = feature_store(settings)
    store.apply(definitions(gold_dir(settings)))
    if settings.feast_online_store == "sqlite":
        write_ahead_log(settings)
    return store


def write_ahead_log(settings: Settings) -> None:
    """Puts the SQLite online store in WAL mode (it stays so: the mode lives in the file).

    In the default rollback journal every online read locks writers out: with serving reading
    all the time, the shopper_activity consumer's push waited in SQLite's busy backoff for up to
    seconds. Under WAL readers never block the writer, nor the writer them.
    """
    path = settings.feast_dir / "online.db"
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA journal_mode=WAL")


def materialize(settings: Settings, end: datetime | None = None) -> dict:
    """Loads the latest gold feature rows up to `end` (default: the last gold event) online; a
    pushed view gets only the rows that are newer than what the consumer already pushed."""
    store = apply(settings)
    report: dict = {"feature_views": [], "rows": {}}
    for view, table in FEATURE_TABLES.items():
        times = read_gold(settings, table)["event_timestamp"]
        until = end or (times.max() + timedelta(seconds=1)).to_pydatetime()
        # A full window each time: daily snapshots are small and the online write is an upsert.
        # Feast prints each view's window and a progress bar to stdout, in colour: a task log's
        # business, not the terminal's of `make up`.
        with prints_to_log(logging.getLogger(__name__)):
            store.materialize(
                start_date=times.min().to_pydatetime(), end_date=until, feature_views=[view]
            )
        report["feature_views"].append(view)
        report["rows"][view] = int((times < until).sum())
        report.setdefault("end", {})[view] = until.isoformat()
    for view, table in PUSHED_TABLES.items():
        gold = read_gold(settings, table)
        until = end or (gold["event_timestamp"].max() + timedelta(seconds=1)).to_pydatetime()
        report["feature_views"].append(view)
        report["rows"][view] = write_newer(settings, store, gold[gold["event_timestamp"] < until])
        report.setdefault("end", {})[view] = until.isoformat()
    return report


if __name__ == "__main__":
    print(materialize(Settings()))
