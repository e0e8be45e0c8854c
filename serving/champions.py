"""Follows MLflow aliases (`champion`, and `challenger` for an experiment): cheap version checks,
a load on change."""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from storeloop.settings import Settings

log = logging.getLogger(__name__)
POLL_S = 2.0  # how often each replica asks the registry where `champion` points (two reads)
RANKER = ("search-ranker", "models.ranker.predict", "load_champion_ranker")
RECOMMENDER = ("recommender", "models.recommender.predict", "load_champion_recommender")
CHAMPION, CHALLENGER = "champion", "challenger"


def champion_version(settings: Settings, registered_name: str, alias: str = CHAMPION) -> str | None:
    """The registry version behind the alias, or None (no registry yet, no alias, any error)."""
    uri = settings.tracking_uri
    if uri.startswith("sqlite:///") and not Path(uri.removeprefix("sqlite:///")).exists():
        return None  # nothing registered yet; do not create an empty tracking database
    try:
        from mlflow import MlflowClient

        client = MlflowClient(tracking_uri=uri, registry_uri=uri)
        return str(client.get_model_version_by_alias(registered_name, alias).version)
    except Exception as error:
        log.debug("no champion for %s: %r", registered_name, error)
        return None


def version_created_at(settings: Settings, registered_name: str, version: str) -> float | None:
    """When a registry version was created (Unix seconds), or None if the registry cannot say."""
    uri = settings.tracking_uri
    try:
        from mlflow import MlflowClient

        client = MlflowClient(tracking_uri=uri, registry_uri=uri)
        created_ms = client.get_model_version(registered_name, version).creation_timestamp
        return None if created_ms is None else created_ms / 1000.0
    except Exception as error:
        log.debug("no creation time for %s v%s: %r", registered_name, version, error)
        return None


class ChampionSlot:
    """Holds one model; `refresh()` swaps in the version behind `alias` when the alias has moved.
    A version the loader refuses (saved with pickle by older code: the loader returns None) is
    served as no model at all, and not retried until the alias moves again. A challenger whose
    alias is gone (its experiment ended) is dropped; a champion is never dropped, since a
    registry that cannot be read looks the same as a missing alias."""

    def __init__(
        self, settings: Settings, spec: tuple[str, str, str], alias: str = CHAMPION
    ) -> None:
        self.settings = settings
        self.registered_name, self._module, self._function = spec
        self.alias = alias
        self.model: Any = None
        self.registry_version: str | None = None
        self.created_at: float | None = None  # the registry version's, for its age on /metrics

    def _load(self) -> Any:
        try:
            loader = getattr(importlib.import_module(self._module), self._function)
        except (ImportError, AttributeError):
            return None
        return loader(self.settings, alias=self.alias)

    def refresh(self) -> bool:
        seen = champion_version(self.settings, self.registered_name, self.alias)
        if seen is None and self.alias != CHAMPION and self.registry_version is not None:
            log.info("%s %s v%s withdrawn", self.registered_name, self.alias, self.registry_version)
            had = self.model is not None
            self.model, self.registry_version, self.created_at = None, None, None
            return had
        if seen is None or seen == self.registry_version:
            return False
        try:
            model = self._load()
        except Exception as error:  # keep serving the old model; retry at the next poll
            log.warning("loading %s v%s failed: %r", self.registered_name, seen, error)
            return False
        had = self.model is not None
        self.model, self.registry_version = model, seen
        self.created_at = version_created_at(self.settings, self.registered_name, seen)
        if model is None:
            log.warning("%s v%s refused: serving without a champion", self.registered_name, seen)
            return had
        log.info("now serving %s %s version %s", self.registered_name, self.alias, seen)
        return True

    @property
    def version(self) -> str | None:
        return None if self.model is None else str(getattr(self.model, "version", ""))


class ChampionWatcher:
    """A daemon thread refreshing each slot every `poll_s`; `on_swap` runs after a swap."""

    def __init__(self, slots: list[ChampionSlot], poll_s: float, on_swap: Callable[[], None]):
        self.slots, self.poll_s, self.on_swap = slots, poll_s, on_swap
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="champion-watcher", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        while not self._stop.wait(self.poll_s):
            for slot in self.slots:
                # Each model goes live as soon as it is loaded, not after the others' loads.
                try:
                    if slot.refresh():
                        self.on_swap()
                except Exception:  # the watcher must outlive any one failed poll
                    log.exception("champion watcher: %s", slot.registered_name)
