"""Typed warehouse and analytics errors; callers branch on `code`, never on the message."""

from __future__ import annotations

from enum import StrEnum


class WarehouseErrorCode(StrEnum):
    DBT_BUILD_FAILED = "dbt_build_failed"
    WAREHOUSE_MISSING = "warehouse_missing"
    WAREHOUSE_BUSY = "warehouse_busy"
    ANALYTICS_REJECTED = "analytics_rejected"
    ANALYTICS_UNAVAILABLE = "analytics_unavailable"
    NO_EVENTS_FOR_DAY = "no_events_for_day"
    RECEIVER_NOT_STARTED = "receiver_not_started"


class WarehouseError(Exception):
    def __init__(self, code: WarehouseErrorCode, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


class DbtBuildFailed(WarehouseError):
    """`dbt build` failed; `failed_nodes` names every model, test or unit test that did not pass."""

    def __init__(self, failed_nodes: list[str], message: str = "") -> None:
        names = ", ".join(failed_nodes) or "dbt could not start"
        super().__init__(WarehouseErrorCode.DBT_BUILD_FAILED, f"failed nodes: {names}. {message}")
        self.failed_nodes = failed_nodes


class AnalyticsRejected(WarehouseError):
    """The analytics service refused a batch (4xx): retrying the same batch cannot help."""

    def __init__(self, status_code: int, detail: str) -> None:
        super().__init__(WarehouseErrorCode.ANALYTICS_REJECTED, f"HTTP {status_code}: {detail}")
        self.status_code = status_code


class AnalyticsUnavailable(WarehouseError):
    """The analytics service kept failing (5xx or timeouts) after every retry."""

    def __init__(self, attempts: int, detail: str) -> None:
        super().__init__(
            WarehouseErrorCode.ANALYTICS_UNAVAILABLE, f"gave up after {attempts} attempts: {detail}"
        )
        self.attempts = attempts
