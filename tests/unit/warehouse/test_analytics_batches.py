"""Batch ids come from content: a repeated export yields the same ids, a changed one new ids."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal

import pytest

from warehouse.batches import batch_id_for, split_into_batches
from warehouse.signing import sign, signature_is_valid

DAY = date(2026, 1, 1)


def rows(count: int) -> list[dict]:
    return [{"order_id": f"o-{n}", "total": Decimal("10.10")} for n in range(count)]


def test_rows_are_split_into_batches_of_the_given_size():
    batches = split_into_batches("fct_orders", DAY, rows(1201), size=500)
    assert [len(batch.rows) for batch in batches] == [500, 500, 201]
    assert [batch.index for batch in batches] == [0, 1, 2]
    assert len({batch.batch_id for batch in batches}) == 3


def test_the_same_rows_give_the_same_batch_ids():
    first = split_into_batches("fct_orders", DAY, rows(7), size=3)
    again = split_into_batches("fct_orders", DAY, rows(7), size=3)
    assert [b.batch_id for b in first] == [b.batch_id for b in again]
    assert [b.body() for b in first] == [b.body() for b in again]


@pytest.mark.parametrize(
    "dataset, day, index, changed_rows",
    [
        ("dim_products", DAY, 0, rows(3)),
        ("fct_orders", date(2026, 1, 2), 0, rows(3)),
        ("fct_orders", DAY, 1, rows(3)),
        ("fct_orders", DAY, 0, rows(3)[:2] + [{"order_id": "o-2", "total": Decimal("10.11")}]),
    ],
)
def test_any_change_of_dataset_day_index_or_content_changes_the_id(
    dataset, day, index, changed_rows
):
    reference = batch_id_for("fct_orders", DAY, 0, json.loads(json.dumps(rows(3), default=str)))
    assert batch_id_for(dataset, day, index, json.loads(json.dumps(changed_rows, default=str))) != (
        reference
    )


def test_money_travels_as_an_exact_string_and_times_as_iso():
    (batch,) = split_into_batches(
        "events", DAY, [{"total": Decimal("0.10"), "at": datetime(2026, 1, 1, 10, 0)}]
    )
    assert json.loads(batch.body())["rows"] == [{"total": "0.10", "at": "2026-01-01T10:00:00"}]


def test_an_empty_dataset_sends_no_batch():
    assert split_into_batches("clicks", DAY, []) == []


def test_a_signature_only_matches_its_body_and_secret():
    signature = sign(b'{"a":1}', "secret")
    assert signature.startswith("sha256=")
    assert signature_is_valid(b'{"a":1}', "secret", signature)
    assert not signature_is_valid(b'{"a":2}', "secret", signature)
    assert not signature_is_valid(b'{"a":1}', "other", signature)
    assert not signature_is_valid(b'{"a":1}', "secret", None)
