"""Where the gateway sends a search: the replicas serving lists, in turn, else its proxy. The
proxy here is a small ASGI app answering /replicas as serving's does."""

import asyncio

import httpx
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

from transactional.gateway.serving_targets import ServingTargets

PROXY = "http://proxy:8000"


def proxy_listing(replicas: list[str] | None, status: int = 200) -> httpx.AsyncClient:
    asked: list[int] = []

    async def listing(_request):
        asked.append(1)
        return JSONResponse({"replicas": replicas}, status_code=status)

    app = Starlette(routes=[Route("/replicas", listing)])
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), timeout=5)
    client.asked = asked  # type: ignore[attr-defined]
    return client


def picks(targets: ServingTargets, client: httpx.AsyncClient, times: int) -> list[str]:
    async def scenario() -> list[str]:
        async with client:
            return [await targets.pick(client) for _ in range(times)]

    return asyncio.run(scenario())


def test_requests_go_round_the_listed_replicas_and_the_list_is_asked_once_per_refresh():
    client = proxy_listing(["http://127.0.0.1:30000/", "http://127.0.0.1:30001"])
    chosen = picks(ServingTargets(PROXY), client, 6)
    assert sorted(set(chosen)) == ["http://127.0.0.1:30000", "http://127.0.0.1:30001"]
    assert chosen[0::2] == [chosen[0]] * 3 and chosen[1::2] == [chosen[1]] * 3
    assert len(client.asked) == 1  # type: ignore[attr-defined]


def test_without_listed_replicas_the_proxy_answers():
    for client in (proxy_listing([]), proxy_listing(None), proxy_listing(["x"], status=404)):
        assert picks(ServingTargets(PROXY + "/"), client, 2) == [PROXY, PROXY]


def test_a_replica_that_refused_is_left_out_until_the_next_refresh():
    targets = ServingTargets(PROXY)
    client = proxy_listing(["http://127.0.0.1:30000", "http://127.0.0.1:30001"])
    picks(targets, client, 1)
    targets.forget("http://127.0.0.1:30000")
    assert targets.replicas == ("http://127.0.0.1:30001",)
    targets.forget("http://127.0.0.1:30001")
    assert picks(targets, proxy_listing(["ignored until the refresh"]), 1) == [PROXY]


def test_a_refresh_once_the_replicas_are_known_keeps_no_request_waiting():
    release = asyncio.Event()
    listings = [["http://127.0.0.1:30000"], ["http://127.0.0.1:30001"]]

    async def listing(_request):
        if len(listings) == 1:  # the refresh, not the first asking
            await release.wait()
        return JSONResponse({"replicas": listings.pop(0)})

    async def scenario() -> tuple[str, str, str]:
        app = Starlette(routes=[Route("/replicas", listing)])
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app)) as client:
            targets = ServingTargets(PROXY)
            first = await targets.pick(client)  # nothing known yet: this one waits
            targets._refresh_at = 0.0  # the refresh is due
            during = await asyncio.wait_for(targets.pick(client), timeout=1)
            release.set()
            await targets._refresh
            return first, during, await targets.pick(client)

    first, during, after = asyncio.run(scenario())
    assert first == during == "http://127.0.0.1:30000"
    assert after == "http://127.0.0.1:30001"
