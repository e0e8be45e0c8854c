"""Consumer lag as Prometheus reads it: events after each checkpoint and the age of the oldest,
zero once the consumer has caught up, and a scrape that still answers with the database gone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from prometheus_client import CollectorRegistry
from prometheus_client.exposition import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from consumers.lag import ConsumerLagCollector
from consumers.lake_writer import LakeWriter
from contracts import events as ev


def scrape(collector: ConsumerLagCollector) -> dict[tuple[str, str], float]:
    registry = CollectorRegistry()
    registry.register(collector)
    text = generate_latest(registry).decode()
    return {
        (sample.name, sample.labels["consumer"]): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def test_lag_counts_what_each_consumer_has_not_applied(settings, append_event):
    hour_ago = datetime.now(UTC) - timedelta(hours=1)
    for n in range(4):
        append_event(ev.STOCK_CHANGED, f"p-{n}", {"product_id": f"p-{n}", "quantity": n}, hour_ago)
    append_event(ev.STOCK_CHANGED, "p-9", {"product_id": "p-9", "quantity": 9}, datetime.now(UTC))
    collector = ConsumerLagCollector(
        settings.db_url, settings.checkpoint_dir, {"lake_writer": "lake_writer", "idle": "idle"}
    )

    before = scrape(collector)
    assert before[("storeloop_consumer_lag_events", "lake_writer")] == 5
    assert 3500 < before[("storeloop_consumer_lag_seconds", "lake_writer")] < 3700
    assert before[("storeloop_consumer_lag_events", "idle")] == 5

    assert LakeWriter(settings).run_once() == 5
    after = scrape(collector)
    assert after[("storeloop_consumer_lag_events", "lake_writer")] == 0
    assert after[("storeloop_consumer_lag_seconds", "lake_writer")] == 0
    assert after[("storeloop_consumer_lag_events", "idle")] == 5  # the other one is still behind


def test_an_empty_log_is_no_lag(settings):
    collector = ConsumerLagCollector(settings.db_url, settings.checkpoint_dir, {"c": "c"})
    assert scrape(collector) == {
        ("storeloop_consumer_lag_events", "c"): 0,
        ("storeloop_consumer_lag_seconds", "c"): 0,
    }


def test_an_unreachable_database_gives_no_series_not_a_failed_scrape(tmp_path):
    url = "postgresql+psycopg://nobody:nothing@127.0.0.1:1/none"
    collector = ConsumerLagCollector(url, tmp_path, {"lake_writer": "lake_writer"})
    assert scrape(collector) == {}
