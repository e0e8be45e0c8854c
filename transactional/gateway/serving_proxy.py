"""Search and recommendations are served elsewhere (Ray Serve); the gateway only forwards them."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx
from fastapi import APIRouter, Request, Response

from transactional.gateway.errors import GatewayErrorCode, error_response

router = APIRouter(prefix="/api", tags=["serving"])

SERVING_TIMEOUT_S = 5.0


async def _forward(request: Request, path: str) -> Response:
    base_url: str = request.app.state.serving_url
    try:
        async with httpx.AsyncClient(base_url=base_url, timeout=SERVING_TIMEOUT_S) as client:
            answer = await client.get(path, params=list(request.query_params.multi_items()))
    except httpx.HTTPError as error:
        return error_response(
            503, GatewayErrorCode.SERVING_UNAVAILABLE.value, f"serving unreachable: {error!r}"
        )
    if answer.status_code >= 500:
        return error_response(
            503,
            GatewayErrorCode.SERVING_UNAVAILABLE.value,
            f"serving answered {answer.status_code}",
        )
    return Response(
        content=answer.content,
        status_code=answer.status_code,
        media_type=answer.headers.get("content-type", "application/json"),
    )


@router.get("/search")
async def search(request: Request) -> Any:
    return await _forward(request, "/search")


@router.get("/search/suggest")
async def suggest(request: Request) -> Any:
    return await _forward(request, "/search/suggest")


@router.get("/recommendations/similar/{product_id}")
async def similar_products(product_id: str, request: Request) -> Any:
    return await _forward(request, f"/recommendations/similar/{quote(product_id, safe='')}")


@router.get("/recommendations/{user_id}")
async def recommendations(user_id: str, request: Request) -> Any:
    return await _forward(request, f"/recommendations/{quote(user_id, safe='')}")
