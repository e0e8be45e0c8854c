"""The store's Feast FeatureStore, configured in code from settings: apply and materialize."""

from __future__ import annotations

from datetime import datetime, timedelta

from feast import FeatureStore, RepoConfig
from feast.repo_config import RegistryConfig

from features.gold import gold_dir, read_gold
from features.repo.definitions import definitions
from storeloop.settings import Settings

PROJECT = "store"
FEATURE_TABLES = {"product_features": "product_features", "customer_features": "customer_features"}


def repo_config(settings: Settings) -> RepoConfig:
    return RepoConfig(
        project=PROJECT,
        provider="local",
        registry=RegistryConfig(
            registry_type="file",
            path=str(settings.feast_dir / "registry.db"),
            cache_ttl_seconds=60,
        ),
        online_store={"type": "sqlite", "path": str(settings.feast_dir / "online.db")},
        offline_store={"type": "file"},
        # 3 is the only non-deprecated key format in feast 0.67.
        entity_key_serialization_version=3,
    )


def feature_store(settings: Settings) -> FeatureStore:
    settings.feast_dir.mkdir(parents=True, exist_ok=True)
    return FeatureStore(config=repo_config(settings), repo_path=str(settings.feast_dir))


def apply(settings: Settings) -> FeatureStore:
    """Registers (or updates) every definition; idempotent."""
    store = feature_store(settings)
    store.apply(definitions(gold_dir(settings)))
    return store


def materialize(settings: Settings, end: datetime | None = None) -> dict:
    """Loads the latest gold feature rows up to `end` (default: the last gold event) online."""
    store = apply(settings)
    report: dict = {"feature_views": [], "rows": {}}
    for view, table in FEATURE_TABLES.items():
        times = read_gold(settings, table)["event_timestamp"]
        until = end or (times.max() + timedelta(seconds=1)).to_pydatetime()
        # A full window each time: daily snapshots are small and the online write is an upsert.
        store.materialize(
            start_date=times.min().to_pydatetime(), end_date=until, feature_views=[view]
        )
        report["feature_views"].append(view)
        report["rows"][view] = int((times < until).sum())
        report.setdefault("end", {})[view] = until.isoformat()
    return report


if __name__ == "__main__":
    print(materialize(Settings()))
