from datetime import UTC, datetime

import pyarrow.parquet as pq

from consumers.checkpoint import FileCheckpoint
from consumers.feed import OutboxFeed
from consumers.lake_writer import BRONZE_EVENTS_SCHEMA, LakeWriter
from contracts import events as ev

DAY1 = datetime(2025, 3, 1, 23, 0, tzinfo=UTC)
DAY2 = datetime(2025, 3, 2, 1, 0, tzinfo=UTC)


def bronze_positions(settings) -> list[int]:
    files = sorted((settings.lake_dir / "bronze" / "events").glob("dt=*/*.parquet"))
    return sorted(p for f in files for p in pq.read_table(f).column("position").to_pylist())


def test_feed_reads_in_position_order_after_a_position(settings, append_event):
    for n in range(5):
        append_event(ev.STOCK_CHANGED, f"p-{n}", {"product_id": f"p-{n}", "quantity": n})
    events = OutboxFeed(settings.db_url).read(after_position=2, limit=2)
    assert [e.position for e in events] == [3, 4]
    assert events[0].payload == {"product_id": "p-2", "quantity": 2}
    assert events[0].occurred_at.tzinfo is not None


def test_feed_without_outbox_table_is_empty(settings):
    assert OutboxFeed(settings.db_url).read(0, 10) == []


def test_writes_bronze_partitioned_by_day_named_by_positions(settings, append_event):
    append_event(ev.PRODUCT_CREATED, "p-1", {"product_id": "p-1"}, DAY1)
    append_event(ev.STOCK_CHANGED, "p-1", {"product_id": "p-1", "quantity": 3}, DAY2)
    append_event(ev.PRODUCT_DELETED, "p-1", {"product_id": "p-1"}, DAY2)

    assert LakeWriter(settings).run_once() == 3

    events_dir = settings.lake_dir / "bronze" / "events"
    assert (events_dir / "dt=2025-03-01" / "part-000000000001-000000000001.parquet").exists()
    day2 = events_dir / "dt=2025-03-02" / "part-000000000002-000000000003.parquet"
    table = pq.read_table(day2)
    assert table.schema.equals(BRONZE_EVENTS_SCHEMA, check_metadata=False)
    assert table.column("type").to_pylist() == [ev.STOCK_CHANGED, ev.PRODUCT_DELETED]
    assert FileCheckpoint(settings.checkpoint_dir, "lake_writer").position == 3


def test_rewriting_the_same_batch_yields_the_same_file(settings, append_event):
    append_event(ev.PRODUCT_CREATED, "p-1", {"product_id": "p-1"}, DAY1)
    append_event(ev.PRODUCT_UPDATED, "p-1", {"product_id": "p-1"}, DAY1)
    writer = LakeWriter(settings)
    batch = writer.feed.read(0, 10)
    first = writer.write_batch(batch)
    again = writer.write_batch(batch)  # a crash before the checkpoint, then the replay
    assert first == again
    assert bronze_positions(settings) == [1, 2]


def test_resumes_after_a_crash_without_loss_or_duplicates(settings, append_event):
    for n in range(7):
        append_event(ev.STOCK_CHANGED, "p-1", {"product_id": "p-1", "quantity": n}, DAY1)
    crashed = LakeWriter(settings, batch_size=3)
    crashed.checkpoint.save(3)  # batch 1-3 was committed
    crashed.write_batch(crashed.feed.read(3, 3))  # batch 4-6 landed, its checkpoint did not

    # The restart uses other batch bounds: the orphan 4-6 file must not duplicate 4..6.
    assert LakeWriter(settings, batch_size=2).run_once() == 4
    assert bronze_positions(settings) == [4, 5, 6, 7]
    assert LakeWriter(settings).run_once() == 0


def test_checkpoint_is_replaced_atomically(settings):
    checkpoint = FileCheckpoint(settings.checkpoint_dir, "demo")
    assert checkpoint.position == 0
    checkpoint.save(42, tombstones=["p-1"])
    assert checkpoint.load() == {"position": 42, "tombstones": ["p-1"]}
    assert [p.name for p in settings.checkpoint_dir.iterdir()] == ["demo.json"]
