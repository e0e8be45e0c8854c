"""Serving's Prometheus metrics at /metrics: requests and latency by route
(storeloop.request_metrics), the models each replica serves and how old they are, the
experiment's traffic split, and how far Feast's online store has been materialized.

One registry per replica process (Ray Serve runs each replica in its own): a scrape through
Serve's proxy reads whichever replica answered. Models and feature ages are read when scraped,
from what the replica holds, so they are never stale; nothing is counted in a request's path but
two counter increments."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from prometheus_client import Counter, Gauge
from prometheus_client.core import GaugeMetricFamily, Metric

from serving.champions import ChampionSlot
from storeloop.request_metrics import RequestMetrics

log = logging.getLogger(__name__)
NO_ARM = "none"  # anonymous shoppers, or no A/B test running
FEATURE_AGE_CACHE_S = 15.0  # a registry read per view: not once per scrape of every replica


@dataclass(frozen=True)
class Served:
    """A slot and what the store serves when the slot is empty (None: nothing, a challenger)."""

    slot: ChampionSlot
    baseline: str | None


class ModelsCollector:
    """`storeloop_serving_model_info{model,alias,version,kind}` (1 for what is served now) and
    `storeloop_serving_model_created_timestamp_seconds{model,alias}` (a registry version's
    creation: the alert on a champion older than a week reads it)."""

    def __init__(self) -> None:
        self.served: Sequence[Served] = ()

    def collect(self) -> Iterator[Metric]:
        info = GaugeMetricFamily(
            "storeloop_serving_model_info",
            "The model each slot serves now: registry version and kind (empty version: baseline)",
            labels=["model", "alias", "version", "kind"],
        )
        created = GaugeMetricFamily(
            "storeloop_serving_model_created_timestamp_seconds",
            "When the served registry version was created (Unix seconds)",
            labels=["model", "alias"],
        )
        for served in self.served:
            slot, model = served.slot, served.slot.model
            if model is None and served.baseline is None:
                continue
            kind = str(getattr(model, "kind", None) or served.baseline or "unknown")
            info.add_metric([slot.registered_name, slot.alias, slot.version or "", kind], 1.0)
            if model is not None and slot.created_at is not None:
                created.add_metric([slot.registered_name, slot.alias], slot.created_at)
        yield info
        yield created


class FeatureAgeCollector:
    """`storeloop_serving_feature_age_seconds{feature_view}`: now minus the end of the last
    materialization Feast's registry records for each view serving reads. A view fed by pushes
    only (shopper_activity, between materializations) is as fresh as its consumer:
    `storeloop_consumer_lag_seconds{consumer="shopper_activity"}` on the gateway."""

    def __init__(self) -> None:
        self.features: Any = None  # serving.features.OnlineFeatures
        self._lock = threading.Lock()
        self._ends: dict[str, float] = {}
        self._read_at = float("-inf")

    def collect(self) -> Iterator[Metric]:
        age = GaugeMetricFamily(
            "storeloop_serving_feature_age_seconds",
            "Seconds since the end of the last materialization into the online store, by view",
            labels=["feature_view"],
        )
        now = time.time()
        for view, end in sorted(self._materialized_until().items()):
            age.add_metric([view], max(0.0, now - end))
        yield age

    def _materialized_until(self) -> dict[str, float]:
        with self._lock:
            if self.features is None or time.monotonic() - self._read_at < FEATURE_AGE_CACHE_S:
                return dict(self._ends)
            self._read_at = time.monotonic()
            try:
                store = self.features.online_store()
                views = sorted({ref.split(":", 1)[0] for refs in self.features.refs.values()
                                for ref in refs})  # fmt: skip
                ends = {
                    view: store.get_feature_view(
                        view, allow_registry_cache=False
                    ).most_recent_end_time
                    for view in views
                }
                self._ends = {view: end.timestamp() for view, end in ends.items() if end}
            except Exception as error:  # a cold registry: no series rather than a failed scrape
                log.debug("feature ages unavailable: %r", error)
            return dict(self._ends)


class ServingMetrics(RequestMetrics):
    def __init__(self) -> None:
        super().__init__("serving")
        self.experiment = Counter(
            "storeloop_serving_experiment_requests",
            "Searches and recommendation lists served, by A/B arm and whether interleaved",
            ["surface", "arm", "interleaved"],
            registry=self.registry,
        )
        # Which replica answered this scrape: Serve's proxy picks one per request.
        self.replica = Gauge(
            "storeloop_serving_replica_info",
            "The replica (host:pid) whose series these are",
            ["replica"],
            registry=self.registry,
        )
        self.models = ModelsCollector()
        self.feature_ages = FeatureAgeCollector()
        self.register(self.models)
        self.register(self.feature_ages)

    def follow(self, replica: str, served: Sequence[Served], features: Any) -> None:
        """What this replica serves from now on (its slots and its online features)."""
        self.replica.labels(replica).set(1)
        self.models.served = tuple(served)
        self.feature_ages.features = features

    def served_to(self, surface: str, arm: str | None, interleaved: bool = False) -> None:
        self.experiment.labels(surface, arm or NO_ARM, str(interleaved).lower()).inc()


METRICS = ServingMetrics()  # the replica's process: one app, one registry
