"""Typed errors of the lake jobs; callers (Airflow tasks, tests) branch on the code."""

from __future__ import annotations

from enum import StrEnum


class LakeErrorCode(StrEnum):
    BRONZE_EMPTY = "bronze_empty"
    SILVER_MISSING = "silver_missing"
    GOLD_COLUMN_MISSING = "gold_column_missing"  # a column declared in Feast that gold lacks


class LakeJobError(RuntimeError):
    def __init__(self, code: LakeErrorCode, message: str) -> None:
        super().__init__(f"{code.value}: {message}")
        self.code = code
