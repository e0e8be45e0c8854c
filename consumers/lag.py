"""How far each consumer is behind the outbox: events after its checkpoint, and the age of the
oldest of them (Kafka's "time lag"; 0 when it has read everything). Read when Prometheus
scrapes, from the consumers' checkpoint files and the log, so it is right even while a consumer
is down: a dead consumer's lag grows, which is what its alert is for.

Ages are measured against the wall clock from `occurred_at`: under the shopper simulator, whose
clock is simulated, they read as however far the simulated day is from now."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from prometheus_client.core import GaugeMetricFamily, Metric

from consumers.checkpoint import FileCheckpoint
from consumers.feed import OUTBOX, parse_occurred_at

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Lag:
    consumer: str
    events: int
    seconds: float


def lag_after(connection: sa.Connection, consumer: str, position: int) -> Lag:
    behind = sa.select(sa.func.count(), sa.func.min(OUTBOX.c.occurred_at)).where(
        OUTBOX.c.position > position
    )
    events, oldest = connection.execute(behind).one()
    if not events:
        return Lag(consumer, 0, 0.0)
    age = (datetime.now(UTC) - parse_occurred_at(oldest)).total_seconds()
    return Lag(consumer, int(events), max(0.0, age))


class ConsumerLagCollector:
    """`storeloop_consumer_lag_events{consumer}` and `storeloop_consumer_lag_seconds{consumer}`
    for the consumers named (label -> checkpoint name) that keep their checkpoint in
    `checkpoint_dir`."""

    def __init__(self, db_url: str, checkpoint_dir: Path, checkpoints: Mapping[str, str]) -> None:
        self.engine = sa.create_engine(db_url)
        self.checkpoints = {
            consumer: FileCheckpoint(checkpoint_dir, name) for consumer, name in checkpoints.items()
        }

    def lags(self) -> list[Lag]:
        """Every consumer's lag over one connection (a scrape is one round of small queries)."""
        consumers = sorted(self.checkpoints.items())
        with self.engine.connect() as connection:
            if not sa.inspect(connection).has_table("outbox"):
                return [Lag(consumer, 0, 0.0) for consumer, _ in consumers]
            return [
                lag_after(connection, consumer, checkpoint.position)
                for consumer, checkpoint in consumers
            ]

    def collect(self) -> Iterator[Metric]:
        events = GaugeMetricFamily(
            "storeloop_consumer_lag_events",
            "Outbox events after the consumer's checkpoint",
            labels=["consumer"],
        )
        seconds = GaugeMetricFamily(
            "storeloop_consumer_lag_seconds",
            "Age of the oldest outbox event the consumer has not applied (0: caught up)",
            labels=["consumer"],
        )
        try:
            lags = self.lags()
        except Exception as error:  # the database is down: no series, and the scrape still answers
            log.warning("consumer lag unavailable: %r", error)
            lags = []
        for lag in lags:
            events.add_metric([lag.consumer], lag.events)
            seconds.add_metric([lag.consumer], lag.seconds)
        yield events
        yield seconds
