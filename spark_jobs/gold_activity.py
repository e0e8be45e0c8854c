"""Gold shopper_activity: the shopper activity fold (features.activity) over the gated bronze
events, one row per shopper per activity time, as the shopper_activity consumer pushes online.

It reads the events rather than silver tables so that Spark folds exactly what the consumer folds,
in the same log order: the same mapping from event to activity (zero-result searches, order lines
settled by a later status change, recommendation clicks in lakes that have them) and one fold.
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import (
    ArrayType,
    DataType,
    DoubleType,
    LongType,
    StringType,
    StructField,
    StructType,
    TimestampType,
)

from contracts.events import Event
from features.activity import ACTIVITY_TYPES, activity_rows
from features.declared import declared, gold_columns
from features.repo.definitions import SHOPPER_ACTIVITY
from spark_jobs.gold_features import select_declared
from spark_jobs.payloads import day

ENVELOPE = ["position", "event_id", "type", "aggregate_id", "payload", "occurred_at"]


def build_shopper_activity(events: DataFrame) -> DataFrame:
    """`events` are bronze rows (one per event_id); shoppers are folded independently."""
    customer = F.trim(F.get_json_object("payload", "$.customer_id"))
    mine = events.filter(F.col("type").isin(list(ACTIVITY_TYPES))).withColumn("shopper", customer)
    folded = (
        mine.filter(F.col("shopper").isNotNull() & (F.col("shopper") != ""))
        .select("shopper", *ENVELOPE)
        .groupBy("shopper")
        .applyInPandas(fold_shopper, activity_schema())
    )
    return select_declared(folded, SHOPPER_ACTIVITY, {"dt": day("event_timestamp")})


def fold_shopper(frame: pd.DataFrame) -> pd.DataFrame:
    """One shopper's events (any order) to their gold rows."""
    times = pd.to_datetime(frame["occurred_at"])
    if times.dt.tz is None:  # Arrow hands Spark timestamps over in the session zone, UTC
        times = times.dt.tz_localize("UTC")
    events = [
        Event(
            type=str(row.type),
            aggregate_id=str(row.aggregate_id),
            payload=_payload(row.payload),
            occurred_at=at.to_pydatetime(),
            event_id=str(row.event_id),
            position=int(row.position),
        )
        for row, at in zip(frame.itertuples(index=False), times, strict=True)
    ]
    return pd.DataFrame(activity_rows(events), columns=gold_columns(SHOPPER_ACTIVITY))


def activity_schema() -> StructType:
    """The gold row's Spark schema, from the Feast field types."""
    known = declared()
    view = known.views[SHOPPER_ACTIVITY]
    keys = [StructField(k, StringType(), False) for k in known.join_keys[SHOPPER_ACTIVITY]]
    return StructType(
        [
            *keys,
            StructField("event_timestamp", TimestampType(), False),
            *[StructField(f.name, _spark_type(str(f.dtype)), True) for f in view.features],
        ]
    )


def _spark_type(feast_type: str) -> DataType:
    scalars: dict[str, DataType] = {
        "String": StringType(),
        "Int64": LongType(),
        "Float64": DoubleType(),
    }
    if feast_type.startswith("Array(") and feast_type.endswith(")"):
        return ArrayType(_spark_type(feast_type[len("Array(") : -1]))
    return scalars[feast_type]


def _payload(text: Any) -> dict[str, Any]:
    # The bronze gate quarantines unparseable payloads; a survivor reads as empty, not a crash.
    try:
        body = json.loads(text)
    except (TypeError, ValueError):
        return {}
    return body if isinstance(body, dict) else {}
