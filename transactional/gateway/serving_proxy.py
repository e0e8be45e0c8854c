"""Search and recommendations are served elsewhere (Ray Serve); the gateway only forwards them.
A shopper's own feed is theirs: it shows what they viewed and bought, so only they (and admins)
may read it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from enum import StrEnum
from functools import partial
from typing import Any
from urllib.parse import quote

import aiohttp
from fastapi import APIRouter, Request, Response

from storeloop.request_ids import REQUEST_ID_HEADER, current_request_id
from storeloop.tracing import client_span
from transactional.common.errors import Forbidden
from transactional.gateway.errors import GatewayErrorCode, error_response
from transactional.gateway.identity import ActingUser
from transactional.gateway.serving_targets import ServingTargets
from transactional.users.domain import Role

router = APIRouter(prefix="/api", tags=["serving"])

SERVING_RETRY_AFTER_S = 1  # a replica restarts, or its queue drains, within seconds


@asynccontextmanager
async def _serving(request: Request) -> AsyncIterator[tuple[aiohttp.ClientSession, ServingTargets]]:
    """The session and targets for a request. On the event loop the app's lifespan runs on (a
    uvicorn worker's), one pooled session: a new one per request costs a connection (and a
    millisecond of setup) per search. aiohttp, not httpx: httpx's pure-Python HTTP took 70% of
    the gateway's CPU per forwarded search."""
    state, loop = request.app.state, asyncio.get_running_loop()
    timeout = aiohttp.ClientTimeout(total=state.serving_timeout_s)
    if getattr(state, "lifespan_loop", None) is not loop:
        # No lifespan on this loop to close a pooled session (a test client outside its context
        # runs each request on a loop of its own): a session of the request's own.
        async with aiohttp.ClientSession(timeout=timeout) as session:
            yield session, ServingTargets(state.serving_url)
        return
    held: aiohttp.ClientSession | None = getattr(state, "serving_client", None)
    if held is None or held.closed:
        held = state.serving_client = aiohttp.ClientSession(timeout=timeout)
        state.serving_targets = ServingTargets(state.serving_url)
    yield held, state.serving_targets


async def _listed_replicas(session: aiohttp.ClientSession, proxy_url: str) -> list[str] | None:
    try:
        async with session.get(f"{proxy_url}/replicas") as answer:
            if answer.status != 200:
                return None
            listed = (await answer.json()).get("replicas")
    except (aiohttp.ClientError, TimeoutError, ValueError, AttributeError, RuntimeError):
        # Serving is away or too old to say (or the worker is closing its session meanwhile).
        return None
    return [str(url) for url in listed or []]


async def _get(
    session: aiohttp.ClientSession, url: str, params: list[tuple[str, str]], headers: dict
) -> Response:
    async with session.get(url, params=params, headers=headers) as answer:
        return Response(
            content=await answer.read(),
            status_code=answer.status,
            media_type=answer.headers.get("content-type", "application/json"),
        )


async def _forward(request: Request, path: str) -> Response:
    # The same request id on both sides: serving's error bodies and logs name the gateway's.
    request_id = current_request_id()
    headers = {REQUEST_ID_HEADER: request_id or ""}
    route = getattr(request.scope.get("route"), "path", path).removeprefix("/api")
    timeout_s = request.app.state.serving_timeout_s
    params = list(request.query_params.multi_items())
    async with _serving(request) as (session, targets):
        base = await targets.pick(partial(_listed_replicas, session, targets.proxy_url), timeout_s)
        try:
            with client_span(f"GET serving {route}", request_id, headers) as span:
                try:
                    answer = await _get(session, base + path, params, headers)
                except aiohttp.ClientConnectorError:
                    if base == targets.proxy_url:
                        raise
                    # A replica restarting or gone: nothing was sent, so its proxy may answer.
                    targets.forget(base)
                    answer = await _get(session, targets.proxy_url + path, params, headers)
                span.set_attribute("http.response.status_code", answer.status_code)
        except TimeoutError:
            return _unavailable(f"serving took longer than {timeout_s} s")
        except aiohttp.ClientError as error:
            return _unavailable(f"serving unreachable: {error!r}")
    if answer.status_code >= 500:
        return _unavailable(f"serving answered {answer.status_code}")
    return answer


def _unavailable(message: str) -> Response:
    answer = error_response(503, GatewayErrorCode.SERVING_UNAVAILABLE.value, message)
    answer.headers["Retry-After"] = str(SERVING_RETRY_AFTER_S)
    return answer


@router.get("/search")
async def search(request: Request) -> Any:
    return await _forward(request, "/search")


@router.get("/search/suggest")
async def suggest(request: Request) -> Any:
    return await _forward(request, "/search/suggest")


@router.get("/recommendations/similar/{product_id}")
async def similar_products(product_id: str, request: Request) -> Any:
    return await _forward(request, f"/recommendations/similar/{quote(product_id, safe='')}")


class FeedErrorCode(StrEnum):
    NOT_YOUR_FEED = "not_your_feed"


@router.get("/recommendations/{user_id}")
async def recommendations(user_id: str, request: Request, user: ActingUser) -> Any:
    if user.role != Role.ADMIN and user.user_id != user_id:
        raise Forbidden(
            FeedErrorCode.NOT_YOUR_FEED, "a shopper reads only their own feed", "user_id"
        )
    return await _forward(request, f"/recommendations/{quote(user_id, safe='')}")
