"""The seller's sales view: their orders, units and revenue by day from the marts, as fresh as
the marts' last rebuild."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from storefront.gateway_client import ApiError
from storefront.visits import VisitDep

router = APIRouter(prefix="/seller")

PERIODS = (7, 30, 90)  # days; the API takes any 1 to 90


@router.get("/sales")
async def sales(visit: VisitDep, days: str = "30") -> Response:
    visit.require("seller")
    try:
        found = await visit.api.call("GET", "/api/sellers/me/sales", params={"days": days})
    except ApiError as error:
        if error.status != 503:
            raise
        # The marts are being rebuilt: say so on the page, not as an error page.
        page = visit.render("seller/sales.html", status=503, sales=None, periods=PERIODS)
        page.headers["Retry-After"] = "30"
        return page
    return visit.render("seller/sales.html", sales=found, periods=PERIODS)
