"""Export batches: rows of one dataset and day, with an id derived from their content.

The id hashes dataset, day, batch index and rows, so re-sending the same data (a retry, or a
second export of the same day) yields the same id and the receiver counts it once.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

DEFAULT_BATCH_SIZE = 500


@dataclass(frozen=True)
class Batch:
    batch_id: str
    dataset: str
    day: date
    index: int
    rows: list[dict[str, Any]]

    def body(self) -> bytes:
        """The exact bytes that are signed and sent."""
        document = {
            "batch_id": self.batch_id,
            "dataset": self.dataset,
            "day": self.day.isoformat(),
            "index": self.index,
            "rows": self.rows,
        }
        return canonical_json(document)


def canonical_json(document: Any) -> bytes:
    return json.dumps(document, sort_keys=True, separators=(",", ":"), default=_json_value).encode()


def split_into_batches(
    dataset: str, day: date, rows: list[dict[str, Any]], size: int = DEFAULT_BATCH_SIZE
) -> list[Batch]:
    if size < 1:
        raise ValueError("batch size must be at least 1")
    # a JSON round trip turns Decimals and datetimes into their wire form before hashing
    wire_rows = json.loads(canonical_json(rows))
    return [
        Batch(
            batch_id=batch_id_for(dataset, day, start // size, wire_rows[start : start + size]),
            dataset=dataset,
            day=day,
            index=start // size,
            rows=wire_rows[start : start + size],
        )
        for start in range(0, len(wire_rows), size)
    ]


def batch_id_for(dataset: str, day: date, index: int, rows: list[dict[str, Any]]) -> str:
    content = hashlib.sha256(canonical_json(rows)).hexdigest()
    key = f"{dataset}|{day.isoformat()}|{index}|{content}"
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def _json_value(value: Any) -> Any:
    # money stays exact on the wire: a Decimal becomes its string, never a float
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")
