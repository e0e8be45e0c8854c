"""The synthetic bronze lake is the lake writer's: layout, schema, positions, the event contract,
the bronze gate; and it is the same lake for the same seed."""

from __future__ import annotations

import json
import re

import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from benchmarks.synthetic_lake import Shape, write_lake
from consumers.lake_writer import BRONZE_EVENTS_SCHEMA
from contracts import events as E
from quality.checks import check_bronze
from storeloop.settings import Settings

SMALL = Shape(products=300, shoppers=80, days=2, sessions_per_shopper_day=1.0)


@pytest.fixture
def settings(tmp_path) -> Settings:
    settings = Settings(data_dir=tmp_path)
    settings.ensure_dirs()
    return settings


def bronze(settings: Settings) -> ds.Dataset:
    return ds.dataset(
        settings.lake_dir / "bronze" / "events", format="parquet", partitioning="hive"
    )


def test_files_are_named_and_typed_as_the_lake_writer_writes_them(settings):
    written = write_lake(settings.root, SMALL)
    files = sorted((settings.lake_dir / "bronze" / "events").glob("*/*"))
    assert len(files) == written["files"] >= 2
    for file in files:
        assert re.fullmatch(r"dt=\d{4}-\d{2}-\d{2}", file.parent.name)
        found = re.fullmatch(r"part-(\d{12})-(\d{12})\.parquet", file.name)
        assert found, file.name
        table = pq.read_table(file)
        assert table.schema.equals(BRONZE_EVENTS_SCHEMA)
        positions = table["position"].to_pylist()
        assert (positions[0], positions[-1]) == (int(found.group(1)), int(found.group(2)))
    frame = bronze(settings).to_table().to_pandas().sort_values("position")
    assert frame["position"].tolist() == list(range(1, written["events"] + 1))
    assert frame["occurred_at"].is_monotonic_increasing  # log order is time order
    assert (frame["occurred_at"].dt.strftime("%Y-%m-%d") == frame["dt"].astype(str)).all()
    assert frame["event_id"].is_unique


def test_payloads_keep_the_event_contract_and_every_stage_of_a_sale(settings):
    write_lake(settings.root, SMALL)
    frame = bronze(settings).to_table().to_pandas()
    assert set(frame["type"]) <= set(E.ALL_TYPES)
    for row in frame.itertuples():
        assert E.unknown_keys(row.type, json.loads(row.payload)) == [], row.type
    counts = frame["type"].value_counts()
    for kind in (E.PRODUCT_CREATED, E.CUSTOMER_REGISTERED, E.SEARCH_PERFORMED,
                 E.SEARCH_RESULT_CLICKED, E.RECOMMENDATIONS_SHOWN, E.RECOMMENDATION_CLICKED,
                 E.CART_ITEM_ADDED, E.ORDER_PLACED, E.PAYMENT_CAPTURED):  # fmt: skip
        assert counts.get(kind, 0) > 0, kind
    assert counts[E.SEARCH_RESULT_CLICKED] < counts[E.SEARCH_PERFORMED] * 10
    assert counts[E.ORDER_PLACED] <= counts[E.CART_ITEM_ADDED]
    levels = [json.loads(p)["quantity"] for p in frame[frame["type"] == E.STOCK_CHANGED].payload]
    assert min(levels) >= 0  # no order takes stock that is not there


def test_the_bronze_gate_passes_every_partition(settings):
    write_lake(settings.root, SMALL)
    report = check_bronze(settings)
    assert report["success"] and report["failed_partitions"] == []


def test_the_same_seed_writes_the_same_lake(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    write_lake(first, SMALL)
    write_lake(second, SMALL)
    tables = [bronze(Settings(data_dir=d)).to_table().sort_by("position") for d in (first, second)]
    assert tables[0].equals(tables[1])


def test_an_events_target_sets_the_session_rate(tmp_path):
    shape = Shape.for_events(6_000, products=300, shoppers=100, days=3)
    written = write_lake(tmp_path, shape)
    assert 0.8 * 6_000 < written["events"] < 1.2 * 6_000
