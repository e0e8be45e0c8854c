"""Where the gateway sends a search: the replicas serving lists, in turn, else its proxy. The
listing here is a coroutine standing in for the proxy's /replicas (the HTTP call itself is
exercised against a real server in test_tx_serving_proxy and test_serving_app)."""

import asyncio

from transactional.gateway.serving_targets import ServingTargets

PROXY = "http://proxy:8000"


def listing(replicas: list[str] | None):
    asked: list[int] = []

    async def listed() -> list[str] | None:
        asked.append(1)
        return replicas

    listed.asked = asked  # type: ignore[attr-defined]
    return listed


def picks(targets: ServingTargets, listed, times: int) -> list[str]:
    async def scenario() -> list[str]:
        return [await targets.pick(listed) for _ in range(times)]

    return asyncio.run(scenario())


def test_requests_go_round_the_listed_replicas_and_the_list_is_asked_once_per_refresh():
    listed = listing(["http://127.0.0.1:30000/", "http://127.0.0.1:30001"])
    chosen = picks(ServingTargets(PROXY), listed, 6)
    assert sorted(set(chosen)) == ["http://127.0.0.1:30000", "http://127.0.0.1:30001"]
    assert chosen[0::2] == [chosen[0]] * 3 and chosen[1::2] == [chosen[1]] * 3
    assert len(listed.asked) == 1


def test_without_listed_replicas_the_proxy_answers():
    for listed in (listing([]), listing(None)):
        assert picks(ServingTargets(PROXY + "/"), listed, 2) == [PROXY, PROXY]


def test_a_silent_proxy_holds_the_first_request_no_longer_than_its_patience():
    async def silent() -> list[str] | None:
        await asyncio.sleep(60)
        return ["never"]

    async def scenario() -> tuple[str, float]:
        loop = asyncio.get_running_loop()
        started = loop.time()
        chosen = await ServingTargets(PROXY).pick(silent, patience_s=0.05)
        return chosen, loop.time() - started

    chosen, waited = asyncio.run(scenario())
    assert chosen == PROXY and waited < 1.0


def test_a_replica_that_refused_is_left_out_until_the_next_refresh():
    targets = ServingTargets(PROXY)
    picks(targets, listing(["http://127.0.0.1:30000", "http://127.0.0.1:30001"]), 1)
    targets.forget("http://127.0.0.1:30000")
    assert targets.replicas == ("http://127.0.0.1:30001",)
    targets.forget("http://127.0.0.1:30001")
    assert picks(targets, listing(["ignored until the refresh"]), 1) == [PROXY]


def test_a_refresh_once_the_replicas_are_known_keeps_no_request_waiting():
    release = asyncio.Event()
    listings = [["http://127.0.0.1:30000"], ["http://127.0.0.1:30001"]]

    async def listed() -> list[str] | None:
        if len(listings) == 1:  # the refresh, not the first asking
            await release.wait()
        return listings.pop(0)

    async def scenario() -> tuple[str, str, str]:
        targets = ServingTargets(PROXY)
        first = await targets.pick(listed)  # nothing known yet: this one waits
        targets._refresh_at = 0.0  # the refresh is due
        during = await asyncio.wait_for(targets.pick(listed), timeout=1)
        release.set()
        await targets._refresh
        return first, during, await targets.pick(listed)

    first, during, after = asyncio.run(scenario())
    assert first == during == "http://127.0.0.1:30000"
    assert after == "http://127.0.0.1:30001"
