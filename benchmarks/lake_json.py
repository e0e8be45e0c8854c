"""Event payloads as JSON text built column-wise with Arrow, a million at a time.

`json.dumps` per event costs tens of microseconds, minutes for ten million events; these helpers
join whole columns instead. Keys come out sorted, as `Event.payload_json` writes them. Only text
`text` escapes quotes and backslashes (a title says `14"`); the generator writes no control
characters.
"""

from __future__ import annotations

from typing import TypeAlias

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

NULL = "null"
SECOND = 1_000_000  # instants are micros since the epoch, as bronze's occurred_at
Column: TypeAlias = pa.Array | str


def text(values: pa.Array) -> pa.Array:
    """A JSON string per value; null stays `null`."""
    escaped = pc.replace_substring(pc.replace_substring(values, "\\", "\\\\"), '"', '\\"')
    quoted = pc.binary_join_element_wise('"', escaped, '"', "")
    return pc.fill_null(quoted, NULL)


def number(values: pa.Array | np.ndarray) -> pa.Array:
    """Integers as JSON numbers; null stays `null`."""
    return pc.fill_null(pc.cast(pa.array(values), pa.string()), NULL)


def decimal(units: np.ndarray, places: int) -> pa.Array:
    """Fixed-point `units` / 10**places as text ("19.21"): money keeps its cents and a score
    stays a JSON float, never an integer."""
    scale = 10**places
    whole = pc.cast(pa.array(units // scale), pa.string())
    fraction = pc.utf8_lpad(pc.cast(pa.array(units % scale), pa.string()), places, "0")
    return pc.binary_join_element_wise(whole, fraction, ".")


def obj(**fields: Column) -> pa.Array:
    """One JSON object per row from already-encoded columns (or constants), keys sorted."""
    pieces: list[Column] = []
    for n, (key, value) in enumerate(sorted(fields.items())):
        pieces += [("{" if n == 0 else ", ") + f'"{key}": ', value]
    return pc.binary_join_element_wise(*pieces, "}", "")


def array_of(objects: pa.Array, offsets: np.ndarray) -> pa.Array:
    """JSON arrays: row i holds objects[offsets[i]:offsets[i + 1]] (an empty slice gives [])."""
    lists = pa.ListArray.from_arrays(pa.array(offsets, pa.int32()), objects)
    return pc.binary_join_element_wise("[", pc.binary_join(lists, ", "), "]", "")


def hex_ids(rng: np.random.Generator, prefix: str, n: int) -> pa.Array:
    """`<prefix><32 hex>` ids (prefix "srch-": transactional.common.ids.hex_id), seeded."""
    digits = pa.array(np.frombuffer(rng.bytes(16 * n).hex().encode("ascii"), dtype="S32"))
    plain = digits.cast(pa.binary()).cast(pa.string())
    return pc.binary_join_element_wise(prefix, plain, "") if prefix else plain


def numbered(prefix: str, numbers: np.ndarray) -> pa.Array:
    """`p-000042` ids like transactional.common.ids.numbered_id (numbers from 1)."""
    digits = pc.utf8_lpad(pc.cast(pa.array(numbers), pa.string()), 6, "0")
    return pc.binary_join_element_wise(f"{prefix}-", digits, "")


def instants(micros: np.ndarray) -> pa.Array:
    """ISO 8601 with offset, as the store writes `placed_at` and `created_at`."""
    at = pa.array(micros, pa.timestamp("us", tz="UTC"))
    return pc.binary_join_element_wise(pc.strftime(at, "%Y-%m-%dT%H:%M:%S"), "+00:00", "")


def events(at: np.ndarray, tie: int, kind: str, aggregate: pa.Array, payload: pa.Array) -> pa.Table:
    """Event rows before positions: `tie` orders events of one instant (placed before paid)."""
    names = pa.DictionaryArray.from_arrays(pa.array(np.zeros(len(at), np.int32)), [kind])
    return pa.table(
        {
            "t": pa.array(at, pa.int64()),
            "tie": pa.array(np.full(len(at), tie, np.int8)),
            "type": names.cast(pa.string()),
            "aggregate_id": aggregate,
            "payload": payload,
        }
    )
