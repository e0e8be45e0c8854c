"""The sales view's reader: one seller's days from the `seller_daily_sales` mart, in the DuckDB
file or the PostgreSQL marts (warehouse.marts decides which)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import duckdb
from sqlalchemy.exc import ProgrammingError

from storeloop.seller_sales import (
    SalesDay,
    SalesUnavailable,
    SellerSales,
    SellerSalesErrorCode,
    check_days,
)
from storeloop.settings import Settings
from warehouse.errors import WarehouseError, WarehouseErrorCode
from warehouse.marts import query_marts

MART = "seller_daily_sales"
_DAYS_OF_SELLER = f"""
select day, orders, paid_orders, units, gross_revenue, refunded_orders, refunds, net_revenue
from {MART}
where seller_id = :seller_id and day >= :first_day and day <= :last_day
order by day desc
"""  # noqa: S608 - the mart's name is ours


class MartsSellerSales(SellerSales):
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def days_of(self, seller_id: str, days: int, today: date) -> list[SalesDay]:
        check_days(days)
        window = {"seller_id": seller_id, "first_day": today - timedelta(days=days - 1)}
        try:
            rows = query_marts(self.settings, _DAYS_OF_SELLER, {**window, "last_day": today})
        except WarehouseError as error:
            if error.code is WarehouseErrorCode.WAREHOUSE_MISSING:
                return []  # never built: no sales yet, as far as the marts know
            if error.code is WarehouseErrorCode.WAREHOUSE_BUSY:
                raise SalesUnavailable(SellerSalesErrorCode.MARTS_BUSY, error.message) from error
            raise
        except (duckdb.CatalogException, ProgrammingError) as error:
            if MART not in str(error):
                raise
            return []  # the marts predate this one: it appears at the next build
        return [_sales_day(row) for row in rows]


def _sales_day(row: dict) -> SalesDay:
    day = row["day"]
    return SalesDay(
        day=day if isinstance(day, date) else date.fromisoformat(str(day)),
        orders=int(row["orders"]),
        paid_orders=int(row["paid_orders"]),
        units=int(row["units"]),
        gross_revenue=Decimal(row["gross_revenue"]),
        refunded_orders=int(row["refunded_orders"]),
        refunds=Decimal(row["refunds"]),
        net_revenue=Decimal(row["net_revenue"]),
    )
