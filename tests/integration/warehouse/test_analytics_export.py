"""Export of the built marts and bronze events to the real receiver over HTTP (uvicorn thread)."""

from __future__ import annotations

from datetime import date

import pytest

from storeloop.settings import Settings
from warehouse.analytics_client import HttpAnalyticsService
from warehouse.analytics_receiver import Faults, start_receiver
from warehouse.errors import AnalyticsRejected, WarehouseErrorCode
from warehouse.export import export_to_analytics

pytestmark = pytest.mark.slow
DAY = date(2026, 1, 1)
# day 1 in the fixture: 23 bronze events, 3 orders, 1 revenue row; snapshots: 3 products, 4 users
DAY_ONE_ROWS = {
    "events": 23, "fct_orders": 3, "daily_revenue": 1, "dim_products": 3, "dim_customers": 4,
}  # fmt: skip


@pytest.fixture
def receiver(tmp_path):
    def start(faults: Faults | None = None):
        handle = start_receiver(Settings(data_dir=tmp_path), port=0, faults=faults)
        started.append(handle)
        return handle

    started: list = []
    yield start
    for handle in started:
        handle.stop()


def exporting_to(settings: Settings, url: str) -> Settings:
    return settings.model_copy(update={"analytics_url": url})


def test_export_sends_every_dataset_in_batches(built_warehouse, receiver):
    settings, _ = built_warehouse
    handle = receiver()

    summary = export_to_analytics(exporting_to(settings, handle.url), DAY, batch_size=5)

    assert summary["rows"] == DAY_ONE_ROWS
    assert summary["batches_sent"] == 5 + 1 + 1 + 1 + 1  # 23 events in batches of 5
    assert summary["duplicates"] == 0
    assert summary["receiver_url"] == handle.url
    stats = HttpAnalyticsService(handle.url, settings.analytics_secret).stats()
    assert stats["rows"] == DAY_ONE_ROWS and stats["batches"] == 9


def test_exporting_twice_counts_the_rows_once(built_warehouse, receiver):
    settings, _ = built_warehouse
    target = exporting_to(settings, receiver().url)

    first = export_to_analytics(target, DAY, batch_size=5)
    second = export_to_analytics(target, DAY, batch_size=5)

    assert second["duplicates"] == second["batches_sent"] == first["batches_sent"]
    stats = HttpAnalyticsService(target.analytics_url, settings.analytics_secret).stats()
    assert stats["rows"] == DAY_ONE_ROWS and stats["batches"] == first["batches_sent"]


def test_export_survives_a_thirty_percent_transient_failure_rate(built_warehouse, receiver):
    settings, _ = built_warehouse
    handle = receiver(Faults(failure_rate=0.3, seed=3))

    summary = export_to_analytics(exporting_to(settings, handle.url), DAY, batch_size=3)

    stats = HttpAnalyticsService(handle.url, settings.analytics_secret).stats()
    assert stats["injected_failures"] > 0 and summary["retries"] >= stats["injected_failures"]
    assert stats["rows"] == DAY_ONE_ROWS  # nothing lost, nothing counted twice


def test_a_wrong_secret_is_rejected_without_retrying(built_warehouse, receiver):
    settings, _ = built_warehouse
    handle = receiver()
    wrong = exporting_to(settings, handle.url).model_copy(update={"analytics_secret": "guess"})

    with pytest.raises(AnalyticsRejected) as rejected:
        export_to_analytics(wrong, DAY)

    assert rejected.value.code == WarehouseErrorCode.ANALYTICS_REJECTED
    assert rejected.value.status_code == 401
    assert HttpAnalyticsService(handle.url, "x").stats()["rejected_signatures"] == 1


def test_without_a_day_the_latest_bronze_day_is_exported(built_warehouse, receiver):
    settings, _ = built_warehouse

    summary = export_to_analytics(exporting_to(settings, receiver().url))

    assert summary["day"] == "2026-01-02"
    assert summary["rows"]["events"] == 4 and summary["rows"]["fct_orders"] == 1
