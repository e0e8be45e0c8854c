"""The signed-in seller's sales by day, as the marts count them (`GET /api/sellers/me/sales`),
read through the SellerSales port the launcher hands create_app: the store's code imports no
warehouse, and a gateway given no reader answers 503 `sales_not_served`."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from storeloop.seller_sales import (
    MAX_DAYS,
    SalesUnavailable,
    SellerSales,
    SellerSalesErrorCode,
    sales_totals,
)
from transactional.gateway.identity import ActingUser, StoreDep
from transactional.gateway.serialize import to_json

router = APIRouter(prefix="/api/sellers", tags=["sellers"])


async def current_seller_sales(request: Request) -> SellerSales | None:
    return request.app.state.seller_sales


@router.get("/me/sales")
def my_sales(
    user: ActingUser,
    store: StoreDep,
    sales: Annotated[SellerSales | None, Depends(current_seller_sales)],
    days: Annotated[int, Query(ge=1, le=MAX_DAYS)] = 30,
) -> Any:
    """The days with orders among the last `days` (today included, UTC), newest first, and
    their totals; the figures are as fresh as the last build of the marts."""
    if sales is None:
        raise SalesUnavailable(SellerSalesErrorCode.SALES_NOT_SERVED, "this gateway reads no marts")
    today = store.clock.now().date()
    found = sales.days_of(user.user_id, days, today)
    return {
        "days": days,
        "first_day": (today - timedelta(days=days - 1)).isoformat(),
        "last_day": today.isoformat(),
        "items": to_json(found),
        "totals": to_json(sales_totals(found)),
    }
