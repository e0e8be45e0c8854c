"""Fresh shopper signals: folds each shopper's clicks, cart adds, purchases and searches from the
log into their `shopper_activity` row and pushes it to Feast's online store (push source).

Per batch: one online read of the affected shoppers, the fold (features.activity, the same the
gold job runs), one push, then the checkpoint. A crash between push and checkpoint replays the
batch, and the fold skips every event at or before a row's `log_position`: nothing counts twice.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from consumers.checkpoint import FileCheckpoint
from consumers.feed import OutboxFeed
from contracts.events import Event
from features.activity import ShopperActivity, activity_from_event, fold
from features.activity_online import activity_lock, online_states, push_states
from features.repo.definitions import SHOPPER_ACTIVITY
from storeloop.settings import Settings

log = logging.getLogger(__name__)
NAME = "shopper_activity"


class ShopperActivityConsumer:
    def __init__(
        self,
        settings: Settings,
        batch_size: int = 1_000,
        checkpoint: FileCheckpoint | None = None,
        store: Any = None,
    ) -> None:
        self.settings = settings
        self.feed = OutboxFeed(settings.db_url)
        self.checkpoint = checkpoint or FileCheckpoint(settings.checkpoint_dir, NAME)
        self.batch_size = batch_size
        self._store = store

    def run_once(self) -> int:
        """Folds every event after the checkpoint; returns how many activities were applied."""
        position, applied = self.checkpoint.position, 0
        while batch := self.feed.read(position, self.batch_size):
            applied += self.apply(batch)
            position = batch[-1].position or position
            self.checkpoint.save(position)
        return applied

    def apply(self, batch: list[Event]) -> int:
        """Folds a batch into the online rows; returns activities not folded in before."""
        activities = [a for a in map(activity_from_event, batch) if a is not None]
        if not activities:
            return 0
        store = self.store
        with activity_lock(self.settings):
            states = online_states(store, {a.customer_id for a in activities})
            changed: list[str] = []
            for activity in activities:
                before = states.get(activity.customer_id) or ShopperActivity(activity.customer_id)
                after = fold(before, activity)
                if after is not before:
                    states[activity.customer_id] = after
                    changed.append(activity.customer_id)
            push_states(store, [states[customer] for customer in dict.fromkeys(changed)])
        return len(changed)

    def follow(self, stop: threading.Event, interval_s: float = 0.1) -> None:
        """run_once every `interval_s` until `stop` is set; a failed round is logged and retried
        from the checkpoint (the store may be busy or not applied yet)."""
        try:
            self.warm_up()
        except Exception:
            log.exception("Feast store not ready; the first round retries")
        while not stop.is_set():
            try:
                self.run_once()
            except Exception:  # one bad round must not end the follower; the next one retries
                log.exception("shopper_activity round failed; retrying from the checkpoint")
            stop.wait(interval_s)

    def warm_up(self) -> None:
        """Opens the Feast store and reads it once: its start-up (registry, online store
        connection) is paid here, not by the first shopper event."""
        online_states(self.store, ["warm-up"])

    @property
    def store(self) -> Any:
        """The Feast store, with the definitions applied once if this registry lacks them."""
        if self._store is None:
            from features.store import apply, feature_store

            store = feature_store(self.settings)
            try:
                store.get_feature_view(SHOPPER_ACTIVITY)
            except Exception:  # FeatureViewNotFoundException, or no registry file yet
                store = apply(self.settings)
            self._store = store
        return self._store

    def close(self) -> None:
        self.feed.close()
