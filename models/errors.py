"""Typed errors of the training pipelines; `code` is stable, the message is for people."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class TrainingDataError(Exception):
    """The training window is empty or unusable; nothing is registered and the champion stays."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def training_set(build: Callable[[Any], Any], settings: Any) -> Any:
    """Builds a Feast training set, reporting a missing, empty or corrupt gold table as a
    TrainingDataError with the same code, so callers handle one exception type."""
    from features.gold import FeatureDataError

    try:
        return build(settings)
    except FeatureDataError as exc:
        raise TrainingDataError(exc.code, str(exc)) from exc
