"""Rebuild from bronze alone: the fixture lake's silver, gold, Feast online store and search index
rebuilt from its bronze are equal to the ones the "running system" built; a changed silver row
is detected; silver and gold record the bronze they read."""

from __future__ import annotations

import json
import shutil

import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from contracts.events import Event
from features.store import materialize
from launch.rebuild_from_bronze import compare_tables, cut_bronze, rebuild
from serving.search.indexer import SearchIndexer
from spark_jobs.lake import read_bronze_mark
from storeloop.settings import Settings

pytestmark = [pytest.mark.spark, pytest.mark.slow]


class ListFeed:
    """The log as the outbox hands it out: each event once, in position order."""

    def __init__(self, events: list[Event]) -> None:
        self.events = events

    def read(self, after_position: int, limit: int) -> list[Event]:
        return [e for e in self.events if (e.position or 0) > after_position][:limit]


def outbox_events(settings: Settings) -> list[Event]:
    table = ds.dataset(settings.lake_dir / "bronze" / "events", format="parquet").to_table()
    unique = {row["event_id"]: row for row in table.to_pylist()}
    return [
        Event(
            type=row["type"],
            aggregate_id=row["aggregate_id"],
            payload=json.loads(row["payload"]),
            occurred_at=row["occurred_at"],
            event_id=row["event_id"],
            position=row["position"],
        )  # fmt: skip
        for row in sorted(unique.values(), key=lambda r: r["position"])
    ]


@pytest.fixture(scope="module")
def rebuilt(lake, spark, tmp_path_factory):
    """A copy of the fixture lake as the running system had it (plus its Feast online store
    and a search index the indexer filled from the log), and its rebuild from bronze."""
    running = Settings(data_dir=tmp_path_factory.mktemp("running"))
    running.ensure_dirs()
    shutil.copytree(lake["settings"].lake_dir, running.lake_dir, dirs_exist_ok=True)
    materialize(running)
    SearchIndexer(running, feed=ListFeed(outbox_events(running))).run_once()
    scratch = tmp_path_factory.mktemp("scratch")
    report = rebuild(running, scratch, spark=spark)
    return running, Settings(data_dir=scratch), report


def test_silver_and_gold_record_the_bronze_they_read(lake):
    lake_dir = lake["settings"].lake_dir
    silver, gold = read_bronze_mark(lake_dir, "silver"), read_bronze_mark(lake_dir, "gold")
    assert silver is not None and gold is not None
    bronze = ds.dataset(lake_dir / "bronze" / "events", format="parquet").to_table()
    # The corrupt day was quarantined before silver read bronze: the mark counts what it read.
    assert silver["rows"] == bronze.num_rows
    assert silver["max_position"] == max(bronze.column("position").to_pylist()) < 900
    assert gold["max_position"] == silver["max_position"] and gold["silver"] == silver


def test_everything_rebuilt_from_bronze_equals_what_the_system_had(rebuilt):
    _, _, report = rebuilt
    lake = report["lake"]
    unequal = {
        f"{layer}.{name}": table
        for layer in ("silver", "gold")
        for name, table in lake[layer]["tables"].items()
        if not table["equal"]
    }
    assert unequal == {}
    assert set(lake["silver"]["tables"]) >= {"orders", "order_items", "payments", "clicks"}
    assert set(lake["gold"]["tables"]) >= {"product_features", "customer_features"}
    assert lake["silver"]["tables"]["orders"]["rows"]["rebuilt"] > 0
    feast = report["feast"]
    assert feast["equal"], feast
    assert all(table["equal"] for table in feast["tables"].values()), feast
    assert any(t["entities"]["rebuilt"] > 0 for t in feast["tables"].values())
    search = report["search"]
    assert search["equal"] and search["documents"]["rebuilt"] == search["documents"]["running"] > 0
    assert report["equal"]


def test_a_changed_silver_row_is_detected(rebuilt, tmp_path):
    running, scratch, _ = rebuilt
    changed = tmp_path / "lake"
    shutil.copytree(running.lake_dir / "silver", changed / "silver")
    part = next((changed / "silver" / "orders").glob("dt=*/*.parquet"))
    table = pq.read_table(part)
    status = table.column_names.index("status")
    wrong = table.set_column(status, "status", [["refunded"] * table.num_rows])
    pq.write_table(wrong, part)
    compared = compare_tables(changed, scratch.lake_dir, "silver")
    assert not compared["equal"]
    orders = compared["tables"]["orders"]
    assert not orders["equal"] and orders["rows"]["running"] == orders["rows"]["rebuilt"]
    assert orders["only_running"] == orders["only_rebuilt"] == table.num_rows
    assert all(t["equal"] for name, t in compared["tables"].items() if name != "orders")


def test_bronze_is_cut_at_the_mark(lake, tmp_path):
    lake_dir = lake["settings"].lake_dir
    cut = cut_bronze(lake_dir, tmp_path, max_position=5)
    positions = ds.dataset(tmp_path / "bronze" / "events", format="parquet").to_table()
    assert cut["rows"] == positions.num_rows == 5
    assert sorted(positions.column("position").to_pylist()) == [1, 2, 3, 4, 5]
