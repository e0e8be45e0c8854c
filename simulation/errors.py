"""Typed simulator errors with codes, like the store's own."""

from __future__ import annotations

from enum import StrEnum


class SimulationErrorCode(StrEnum):
    STORE_NOT_EMPTY = "store_not_empty"
    NO_SIMULATED_CLOCK = "no_simulated_clock"
    NO_TRUTH = "no_truth"
    TAXONOMY_CHANGED = "taxonomy_changed"


class SimulationError(Exception):
    def __init__(self, code: SimulationErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
