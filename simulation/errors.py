"""Typed simulator errors with codes, like the store's own."""

from __future__ import annotations

from enum import StrEnum


class SimulationErrorCode(StrEnum):
    STORE_NOT_EMPTY = "store_not_empty"
    NO_SIMULATED_CLOCK = "no_simulated_clock"
    NO_TRUTH = "no_truth"
    TAXONOMY_CHANGED = "taxonomy_changed"
    STORE_NOT_OPEN = "store_not_open"  # run_days before open_store
    STORE_ALREADY_OPEN = "store_already_open"
    DAY_ALREADY_RUN = "day_already_run"  # a round may not go back in simulated time
    INVALID_ROUND = "invalid_round"
    SERVING_UNREACHABLE = "serving_unreachable"  # no answer after the retries
    SERVING_ERROR = "serving_error"  # an answer, but an error or not the JSON expected


class SimulationError(Exception):
    def __init__(self, code: SimulationErrorCode, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
