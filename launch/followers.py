"""The consumers of the outbox while `make up` runs: fresh signals follow it within a fraction of
a second (a shopper's next request sees their last click), the rest catch up when asked (at the
end of a simulated day, before the DAG) and, once the APIs are up, whenever the log moved.

One lock: a consumer never runs twice at once, whichever thread asks.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from launch.consumers import CONSUMERS, FAST_CONSUMERS, run_some
from storeloop.settings import Settings

log = logging.getLogger(__name__)


class Followers:
    """`start()` the fast follower; `catch_up()` runs every consumer to the end of the log;
    `follow_everything(stop)` is the loop of the serving phase (plus the money jobs)."""

    def __init__(self, settings: Settings, interval_s: float = 0.1) -> None:
        self.settings = settings
        self.interval_s = interval_s
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._follow, name="fresh-signals", daemon=True)
        # Kept, not rebuilt each time: opening Feast's store costs about a second.
        self._fast: dict[str, Any] = {}
        self.failures = 0

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=30)
        for consumer in self._fast.values():
            consumer.close()

    def catch_up(self) -> dict[str, int]:
        with self._lock:
            slow = [name for name in CONSUMERS if name not in FAST_CONSUMERS]
            return {**run_some(self.settings, slow), **self._run_fast()}

    def _run_fast(self) -> dict[str, int]:
        for name in FAST_CONSUMERS:
            if name not in self._fast:
                self._fast[name] = CONSUMERS[name](self.settings)
        return {name: consumer.run_once() for name, consumer in self._fast.items()}

    def _follow(self) -> None:
        while not self._stop.wait(self.interval_s):
            try:
                with self._lock:
                    self._run_fast()
            except Exception as error:  # a cold store or a locked file: try again shortly
                self.failures += 1
                log.warning("fresh-signal consumer failed (will retry): %r", error)

    def follow_everything(
        self, stop: threading.Event, money_jobs: Callable[[], object], money_every_s: float = 60
    ) -> None:
        """Until `stop`: every consumer when the log's head moved (a cheap read a second), and
        the money jobs (expire stale reservations, settle open payments) once a minute."""
        import sqlalchemy as sa

        from transactional.common.outbox import outbox

        engine = sa.create_engine(self.settings.db_url)
        head_query = sa.select(sa.func.max(outbox.c.position))
        last_head, last_money_run = None, 0.0
        try:
            while not stop.wait(1.0):
                with engine.connect() as connection:
                    head = connection.execute(head_query).scalar()
                if head != last_head:
                    self.catch_up()
                    last_head = head
                if time.monotonic() - last_money_run >= money_every_s:
                    money_jobs()
                    last_money_run = time.monotonic()
        finally:
            engine.dispose()
