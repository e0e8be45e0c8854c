"""A seller's sales by day, as the marts count them: the port between the gateway, which serves
them to the seller, and the warehouse, which reads them. It sits on the ground floor because
neither of those two may import the other."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

MAX_DAYS = 90  # the sales view looks back at most a quarter
# A dbt build holds the DuckDB file for seconds to a minute; try again after about this long.
REBUILD_RETRY_AFTER_S = 30


class SellerSalesErrorCode(StrEnum):
    DAYS_OUT_OF_RANGE = "days_out_of_range"
    MARTS_BUSY = "marts_busy"
    SALES_NOT_SERVED = "sales_not_served"


class SellerSalesError(Exception):
    """`code` for clients; `field` names the request's value at fault, if one is."""

    def __init__(self, code: SellerSalesErrorCode, message: str, field: str | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.field = field


class DaysOutOfRange(SellerSalesError):
    def __init__(self, days: int) -> None:
        super().__init__(
            SellerSalesErrorCode.DAYS_OUT_OF_RANGE, f"days is {days}, not 1 to {MAX_DAYS}", "days"
        )


class SalesUnavailable(SellerSalesError):
    """The figures cannot be read for now (the marts are being rebuilt); retry after a while."""

    def __init__(
        self, code: SellerSalesErrorCode, message: str, retry_after_s: int = REBUILD_RETRY_AFTER_S
    ) -> None:
        super().__init__(code, message)
        self.retry_after_s = retry_after_s


@dataclass(frozen=True)
class SalesDay:
    day: date
    orders: int
    paid_orders: int
    units: int
    gross_revenue: Decimal
    refunded_orders: int
    refunds: Decimal
    net_revenue: Decimal


class SellerSales(ABC):
    @abstractmethod
    def days_of(self, seller_id: str, days: int, today: date) -> list[SalesDay]:
        """The seller's days with orders among the `days` ending with `today`, newest first;
        DaysOutOfRange unless 1 <= days <= MAX_DAYS, SalesUnavailable while unreadable."""


def check_days(days: int) -> None:
    if not 1 <= days <= MAX_DAYS:
        raise DaysOutOfRange(days)


def sales_totals(days: list[SalesDay]) -> dict[str, int | Decimal]:
    """The period's sums, column by column."""
    return {
        "orders": sum(d.orders for d in days),
        "paid_orders": sum(d.paid_orders for d in days),
        "units": sum(d.units for d in days),
        "gross_revenue": sum((d.gross_revenue for d in days), Decimal("0.00")),
        "refunded_orders": sum(d.refunded_orders for d in days),
        "refunds": sum((d.refunds for d in days), Decimal("0.00")),
        "net_revenue": sum((d.net_revenue for d in days), Decimal("0.00")),
    }
