"""Gold shopper_activity: Spark runs the consumer's fold on the same events and gets the same
rows; gold columns are the ones Feast declares."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pandas as pd
import pytest
from bronze_events import row as bronze_row

from contracts import events as E
from contracts.events import Event
from features.activity import activity_rows
from features.declared import gold_columns
from features.repo import definitions
from spark_jobs.errors import LakeErrorCode, LakeJobError
from spark_jobs.gold_activity import build_shopper_activity
from spark_jobs.gold_features import select_declared

pytestmark = pytest.mark.spark


def bronze_events(lake) -> list[Event]:
    """The bronze events gold was built from (the gate quarantined the corrupt day)."""
    frame = pd.read_parquet(lake["settings"].lake_dir / "bronze" / "events")
    frame = frame.drop_duplicates("event_id")  # the replayed click lands twice
    return [
        Event(r.type, r.aggregate_id, json.loads(r.payload), r.occurred_at.to_pydatetime(),
              r.event_id, int(r.position))
        for r in frame.itertuples(index=False)
    ]  # fmt: skip


def comparable(rows: pd.DataFrame) -> pd.DataFrame:
    frame = rows[gold_columns("shopper_activity")].copy()
    frame["event_timestamp"] = pd.to_datetime(frame["event_timestamp"], utc=True).astype(
        "datetime64[ns, UTC]"
    )
    for column in ("recent_products", "purchased_products", "recent_queries", "pending_orders"):
        frame[column] = frame[column].map(list)
    return frame.sort_values(["customer_id", "log_position"]).reset_index(drop=True)


def test_gold_equals_the_consumers_fold_of_the_same_events(lake):
    gold = pd.read_parquet(lake["settings"].lake_dir / "gold" / "shopper_activity")
    folded = pd.DataFrame(activity_rows(bronze_events(lake)))
    pd.testing.assert_frame_equal(comparable(gold), comparable(folded))
    assert lake["gold"]["shopper_activity"] == len(folded) > 0


def test_gold_rows_follow_the_hand_count(lake):
    gold = comparable(pd.read_parquet(lake["settings"].lake_dir / "gold" / "shopper_activity"))
    last = gold.groupby("customer_id").tail(1).set_index("customer_id")
    # c1 bought p1 (o-a), p2 (o-c) and p3 (o-d). c2 clicked p3 on their feed, then p2 from a
    # search; c2's order was declined: viewed, never bought.
    assert last.loc["c-000001", "recent_products"] == ["p-000001", "p-000002", "p-000003"]
    assert last.loc["c-000001", "purchased_products"] == ["p-000001", "p-000002", "p-000003"]
    assert last.loc["c-000001", "recent_queries"] == ["running shoes", "book"]
    assert last.loc["c-000002", "recent_products"] == ["p-000003", "p-000002"]
    assert last.loc["c-000002", "purchased_products"] == []
    assert last.loc["c-000002", "pending_orders"] == []
    # o-a's placement, payment and stock moves share 10:05: one row, the state after all of them.
    c1 = gold[gold.customer_id == "c-000001"]
    assert not c1["event_timestamp"].duplicated().any()


def test_recommendation_clicks_count_as_views_and_older_lakes_need_none(spark):
    at = datetime(2024, 5, 1, 10, tzinfo=UTC)
    click = {"recommendation_id": "rec-1", "session_id": "s", "customer_id": "c-9",
             "product_id": "p-7", "position": 2}  # fmt: skip
    search = {"search_id": "srch-9", "customer_id": "c-9", "query": "Lamp", "results": []}
    rows = [
        bronze_row(1, E.SEARCH_PERFORMED, "srch-9", search, at),
        bronze_row(2, E.RECOMMENDATION_CLICKED, "rec-1", click, at.replace(minute=1)),
        bronze_row(3, E.SEARCH_PERFORMED, "srch-10", {**search, "customer_id": None}, at),
    ]
    events = spark.createDataFrame(pd.DataFrame(rows))
    gold = build_shopper_activity(events).toPandas()
    assert list(gold.columns) == [*gold_columns("shopper_activity"), "dt"]
    assert gold["recent_products"].map(list).tolist() == [[], ["p-7"]]
    assert gold["recent_queries"].map(list).tolist() == [["lamp"], ["lamp"]]  # zero results too
    older = build_shopper_activity(events.filter(events.type != E.RECOMMENDATION_CLICKED))
    assert older.count() == 1


def test_gold_selects_take_their_columns_from_the_feast_declaration(spark, monkeypatch):
    frame = spark.createDataFrame(
        pd.DataFrame({"customer_id": ["c-1"], "orders_30d": [1], "top_category": ["shoes"]})
    )
    with pytest.raises(LakeJobError) as error:
        select_declared(frame, "customer_features", {})
    assert error.value.code == LakeErrorCode.GOLD_COLUMN_MISSING
    assert "spend_30d" in str(error.value) and "event_timestamp" in str(error.value)

    kept = [f for f in definitions.CUSTOMER_FIELDS if f.name in ("orders_30d", "top_category")]
    monkeypatch.setattr(definitions, "CUSTOMER_FIELDS", kept)
    computed = {
        "event_timestamp": frame["orders_30d"].cast("timestamp"),
        "dt": frame["customer_id"],
    }
    selected = select_declared(frame, "customer_features", computed)
    assert selected.columns == [
        "customer_id",
        "event_timestamp",
        "orders_30d",
        "top_category",
        "dt",
    ]
