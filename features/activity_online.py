"""Shopper activity in Feast's online store: read states, push newer ones, under one lock.

Feast's online write is a plain upsert (no timestamp check), so every writer of shopper_activity
(the consumer's push, materialize from gold) compares `log_position` first, under a file lock so
that no other writer slips in between the read and the write.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import AbstractContextManager
from typing import Any

import pandas as pd
from feast.data_source import PushMode

from features.activity import ShopperActivity
from features.declared import view_fields
from features.repo.definitions import SHOPPER_ACTIVITY, SHOPPER_ACTIVITY_PUSH
from storeloop.locks import file_lock
from storeloop.settings import Settings


def activity_lock(settings: Settings) -> AbstractContextManager[None]:
    """One writer of the online shopper_activity rows at a time, across processes."""
    return file_lock(settings.feast_dir / f"{SHOPPER_ACTIVITY}.lock")


def online_states(store: Any, customer_ids: Iterable[str]) -> dict[str, ShopperActivity]:
    """The online state of each shopper that has one, in one online read."""
    ids = sorted(set(customer_ids))
    if not ids:
        return {}
    names = [field.name for field in view_fields(SHOPPER_ACTIVITY)]
    table = store.get_online_features(
        features=[f"{SHOPPER_ACTIVITY}:{name}" for name in names],
        entity_rows=[{"customer_id": c} for c in ids],
    ).to_dict()
    positions = table.get("log_position", [None] * len(ids))
    return {
        customer: ShopperActivity.from_row(customer, {n: table[n][row] for n in names})
        for row, customer in enumerate(ids)
        if positions[row] is not None  # no online row: an unknown shopper
    }


def push_states(store: Any, states: Iterable[ShopperActivity]) -> int:
    """Pushes the states online (each one's event_timestamp is its last activity's time)."""
    rows = [state.row() for state in states]
    if rows:
        frame = pd.DataFrame(rows)
        frame["event_timestamp"] = pd.to_datetime(frame["event_timestamp"], utc=True)
        store.push(SHOPPER_ACTIVITY_PUSH, frame, to=PushMode.ONLINE)
    return len(rows)


def write_newer(settings: Settings, store: Any, gold: pd.DataFrame) -> int:
    """Writes each shopper's latest gold row online unless the online row has folded as far or
    further (a pushed row is never replaced by an older gold one); returns rows written."""
    if gold.empty:
        return 0
    latest = gold.sort_values("log_position").groupby("customer_id", sort=True).tail(1)
    with activity_lock(settings):
        online = online_states(store, latest["customer_id"])
        behind = [
            int(position) > online[customer].log_position if customer in online else True
            for customer, position in zip(
                latest["customer_id"], latest["log_position"], strict=True
            )
        ]
        newer = latest[behind]
        if not newer.empty:
            store.push(SHOPPER_ACTIVITY_PUSH, newer.reset_index(drop=True), to=PushMode.ONLINE)
    return len(newer)
