"""Search and recommendations over HTTP, the way a storefront calls them: through the gateway,
which forwards to the serving app on Ray Serve, at 1 and 8 concurrent clients. In the same run:
the same searches through the in-process search service (the goal's reference), raw tantivy,
and Ray Serve called directly with 1 replica and one per core, so the cost of each hop shows.

One Python process serialises searches on the interpreter lock, so 8 clients queue behind one
another; replicas are separate processes over the same memory-mapped index files. The gateway's
rate limits are set for the benchmark's client (it must not measure 429s); serving has none.
Run it on a data dir with an index, e.g. the million-product one, or let it build a synthetic
catalog of its own:

    .venv/bin/python -m benchmarks.search_million --data-dir /tmp/million   # builds and keeps it
    .venv/bin/python -m benchmarks.search_http --data-dir /tmp/million [--queries 1000]
    .venv/bin/python -m benchmarks.search_http --data-dir /tmp/s5k --products 5000

With the data dir of a `make up` (default ./var) the served champion ranker re-ranks each search,
in process as over HTTP, and the champion recommender answers (`ranker` and `recommender` in
the output say which ran). A feed is measured twice: for a shopper the online store does not
know (popular products), and for one with a history, so that the model ranks: the benchmark's
shopper is given, as the fresh-signal consumer would, the online state of a shopper of the data
dir whose history the champion knows (that row stays in the data dir's online store), and the
same shopper's feed in process is its reference.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

import aiohttp
import httpx

from benchmarks.order_placement import start_gateway
from benchmarks.reports import headline, rate_limits_record, write_report
from benchmarks.search_freshness import _cpu_model
from benchmarks.search_million import build, query_mix, timed
from serving.search.client import query_spec
from serving.search.index import QuerySpec
from serving.search.index.tantivy_index import TantivyIndex
from serving.search.index.tantivy_query import build_query
from serving.search.query_parser import parse_query
from storeloop.settings import Settings

GATEWAY_WORKERS = 2  # as the cluster profile runs it
FEED_PASSWORD = "benchmark shopper 7 reads a feed"
RECOMMENDATION_CALLS = 400
GOAL_RATIO = 2.0  # p50 and p99 through the storefront's path, against the in-process service
GOAL_RECS_P99_MS = 25.0


@contextmanager
def http_caller(
    base_url: str, path: str, seen: dict[str, int], key: str, headers: dict | None = None
) -> Iterator[Callable[[str], None]]:
    """A call for `timed`'s client threads. The call's argument fills `path`'s `{}` (a product
    id, a shopper) or, without one, is the query `q`; `seen` counts the answers' `key`. The
    requests go out on aiohttp, as `order_placement`'s do, from one event loop thread holding a
    keep-alive connection per request in flight: httpx took 1.1 ms of CPU per request here, a
    fifth of the two cores the servers it measures run on."""
    loop = asyncio.new_event_loop()
    runner = threading.Thread(target=loop.run_forever, name="http-client", daemon=True)
    runner.start()

    async def opened() -> aiohttp.ClientSession:
        return aiohttp.ClientSession(
            base_url, headers=headers, timeout=aiohttp.ClientTimeout(total=30)
        )

    session = asyncio.run_coroutine_threadsafe(opened(), loop).result()

    async def get(argument: str) -> Any:
        if "{}" in path:
            answer = session.get(path.format(quote(argument, safe="")))
        else:
            answer = session.get(path, params={"q": argument})
        async with answer as response:
            response.raise_for_status()
            return await response.json()

    def call(argument: str) -> None:
        name = str(asyncio.run_coroutine_threadsafe(get(argument), loop).result().get(key))
        seen[name] = seen.get(name, 0) + 1

    try:
        yield call
    finally:
        asyncio.run_coroutine_threadsafe(session.close(), loop).result()
        loop.call_soon_threadsafe(loop.stop)
        runner.join(timeout=10)
        loop.close()


def at_1_and_8_clients(
    call: Callable[[str], Any], queries: list[str], prefix: str, label: str
) -> dict[str, Any]:
    """`{prefix}1_clients_ms` and `{prefix}8_clients_ms`, each printed as it is measured."""
    figures = {}
    for clients in (1, 8):
        figures[f"{prefix}{clients}_clients_ms"] = measured = timed(call, queries, clients)
        print(f"  {label}, {clients} client(s): {measured}")
    return figures


@contextmanager
def serving(settings: Settings, replicas: int) -> Iterator[tuple[str, float]]:
    """The serving app on Ray Serve with `replicas` replicas: (its URL, seconds to start)."""
    from serving import run

    started = time.perf_counter()
    url = run.start(settings.model_copy(update={"serving_replicas": replicas}), poll_s=60.0)
    try:
        yield url, round(time.perf_counter() - started, 1)
    finally:
        run.stop()


def direct(settings: Settings, queries: list[str], replicas: int) -> dict[str, Any]:
    """Searches straight to Ray Serve, without the gateway."""
    with serving(settings, replicas) as (url, start_s):
        figures: dict[str, Any] = {"start_s": start_s}
        seen: dict[str, int] = {}
        with http_caller(url, "/search", seen, "ranker") as call:
            figures |= at_1_and_8_clients(call, queries, "", f"{replicas} replica(s)")
        figures["ranker_answers"] = seen
    return figures


def in_process(
    settings: Settings, queries: list[str], products: list[str], shopper: Any
) -> dict[str, Any]:
    """The same services the serving app holds, with the same champions and challenger, called
    in this process: what the storefront's path is measured against."""
    import torch

    from serving.champions import CHALLENGER, RANKER, RECOMMENDER, ChampionSlot
    from serving.features import OnlineFeatures
    from serving.recommend.service import RecommendationService
    from serving.search.service import SearchService

    torch.set_num_threads(1)  # as each replica scores (serving.app): the same call
    features = OnlineFeatures(settings)
    search = SearchService(settings, features=features)
    recommendations = RecommendationService(settings, index=search.index, features=features)
    ranker, recommender = ChampionSlot(settings, RANKER), ChampionSlot(settings, RECOMMENDER)
    # The ranker under experiment too: serving interleaves it into a share of the searches.
    challenger = ChampionSlot(settings, RANKER, CHALLENGER)
    for slot in (ranker, recommender, challenger):
        slot.refresh()
    search.ranker, recommendations.recommender = ranker.model, recommender.model
    search.challenger = challenger.model
    figures: dict[str, Any] = {}
    try:
        rankers: dict[str, int] = {}

        def searched(query: str) -> dict[str, Any]:
            answer = search.search(query)
            rankers[answer.ranker] = rankers.get(answer.ranker, 0) + 1
            return answer.as_dict()

        figures |= at_1_and_8_clients(searched, queries, "search_", "in-process search service")
        figures["ranker_answers"] = rankers
        measured = timed(lambda p: recommendations.similar(p, 10), products, 8)
        figures["similar_8_clients_ms"] = measured
        print(f"  in-process similar products, 8 clients: {measured}")
        if shopper is not None:
            strategies: dict[str, int] = {}

            def feed(customer: str) -> None:
                answer = recommendations.recommend(customer, 10)
                name = f"{answer['strategy']}/{answer['fallback']}"
                strategies[name] = strategies.get(name, 0) + 1

            calls = [shopper.customer_id] * RECOMMENDATION_CALLS
            figures["feed_8_clients_ms"] = measured = timed(feed, calls, 8)
            figures["feed_strategies"] = strategies
            print(f"  in-process feed of a known shopper, 8 clients: {measured} {strategies}")
    finally:
        search.close()
    return figures


def through_gateway(
    settings: Settings, queries: list[str], products: list[str], replicas: int, history: Any
) -> dict[str, Any]:
    """The storefront's path: the gateway (uvicorn, its workers) forwarding to Ray Serve."""
    from transactional.bootstrap import bootstrap

    scratch = Path(tempfile.mkdtemp(prefix="search-http-"))
    database = f"sqlite:///{scratch / 'store.db'}"
    # The schema exists before the workers start, so they do not race to create it.
    bootstrap(settings.model_copy(update={"database_url": database})).close()
    with serving(settings, replicas) as (url, start_s):
        port = _free_port()
        gateway = start_gateway(
            database,
            settings.data_dir,
            GATEWAY_WORKERS,
            port,
            extra_env={"STORE_SERVING_PORT": url.rsplit(":", 1)[1].rstrip("/")},
            log=scratch / "gateway.log",
        )
        base = f"http://127.0.0.1:{port}"
        figures: dict[str, Any] = {"serve_start_s": start_s, "gateway_workers": GATEWAY_WORKERS}
        try:
            seen: dict[str, int] = {}
            label = f"gateway -> {replicas} replica(s)"
            with http_caller(base, "/api/search", seen, "ranker") as call:
                figures |= at_1_and_8_clients(call, queries, "search_", label)
            figures["ranker_answers"] = seen
            customer, token = _shopper(base, settings)
            signed_in = {"Authorization": f"Bearer {token}"}
            feeds: dict[str, int] = {}
            calls = [customer] * RECOMMENDATION_CALLS
            with http_caller(
                base, "/api/recommendations/{}", feeds, "recommender", signed_in
            ) as feed:
                figures["feed_8_clients_ms"] = measured = timed(feed, calls, 8)
            print(f"  gateway -> serving, a new shopper's feed, 8 clients: {measured}")
            if history is not None:
                _give_history(settings, customer, history)
                known: dict[str, int] = {}
                with http_caller(
                    base, "/api/recommendations/{}", known, "strategy", signed_in
                ) as feed:
                    figures["feed_known_8_clients_ms"] = measured = timed(feed, calls, 8)
                figures["feed_known_strategies"] = known
                label = "a known shopper's feed, 8 clients"
                print(f"  gateway -> serving, {label}: {measured}, {known}")
            similar: dict[str, int] = {}
            with http_caller(base, "/api/recommendations/similar/{}", similar, "strategy") as call:
                figures["similar_8_clients_ms"] = measured = timed(call, products, 8)
            print(f"  gateway -> serving, similar products, 8 clients: {measured}")
            figures["recommender_answers"] = feeds
            figures["similar_strategies"] = similar
        finally:
            gateway.terminate()
            gateway.wait(timeout=30)
    return figures


def _shopper(base: str, settings: Settings) -> tuple[str, str]:
    """A signed-in customer of the gateway's store in the A/B test's models arm (the control
    arm is never ranked by a model): (id, access token). A feed is its shopper's own; the
    online-feature read is the same for a shopper the features have not seen yet."""
    from storeloop.arms import CONTROL, arm_of

    for attempt in range(64):
        body = {
            "name": "Bench Shopper",
            "email": f"bench{attempt}@example.com",
            "password": FEED_PASSWORD,
        }
        registered = httpx.post(f"{base}/api/auth/register", json=body, timeout=30)
        registered.raise_for_status()
        customer = registered.json()["user_id"]
        if arm_of(customer, settings.control_share, settings.experiment_salt) != CONTROL:
            break
    login = {"email": body["email"], "password": FEED_PASSWORD}
    tokens = httpx.post(f"{base}/api/auth/login", json=login, timeout=30)
    tokens.raise_for_status()
    return customer, tokens.json()["access_token"]


def _known_shopper(settings: Settings) -> Any:
    """The online state of a shopper of the data dir in the models arm whose history the
    champion recommender knows (the longest such history), or None without one."""
    from features.gold import read_gold
    from serving.champions import RECOMMENDER, ChampionSlot
    from serving.features import OnlineFeatures
    from storeloop.arms import CONTROL, arm_of

    slot = ChampionSlot(settings, RECOMMENDER)
    slot.refresh()
    if slot.model is None:
        return None
    try:
        customers = sorted(read_gold(settings, "shopper_activity")["customer_id"].unique())
    except Exception as error:  # no gold: a synthetic catalog has no shoppers
        print(f"no known shoppers ({error!r}): the feed is measured for a new shopper only")
        return None
    features, best = OnlineFeatures(settings), None
    for customer in customers[:200]:
        if arm_of(customer, settings.control_share, settings.experiment_salt) == CONTROL:
            continue
        state = features.for_shopper(customer)
        if state is None or not slot.model.knows(state.recent_products):
            continue
        if best is None or len(state.recent_products) > len(best.recent_products):
            best = state
    return best


def _give_history(settings: Settings, customer: str, history: Any) -> None:
    """Pushes `history` online as `customer`'s state, as the fresh-signal consumer would."""
    from dataclasses import replace
    from datetime import UTC, datetime

    from features.activity_online import activity_lock, push_states
    from features.store import feature_store

    state = replace(history, customer_id=customer, updated_at=datetime.now(UTC))
    with activity_lock(settings):
        push_states(feature_store(settings), [state])


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _ratio(figure: dict[str, Any], reference: dict[str, Any], key: str) -> float:
    return round(float(figure[key]) / max(float(reference[key]), 1e-9), 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", type=Path, default=None, help="default: STORE_DATA_DIR")
    parser.add_argument("--queries", type=int, default=1_000)
    parser.add_argument("--replicas", type=int, default=0, help="0: one per core")
    parser.add_argument(
        "--products", type=int, default=0, help="without an index, build a synthetic catalog"
    )
    args = parser.parse_args()
    settings = Settings(data_dir=args.data_dir) if args.data_dir else Settings()
    if not (settings.search_index_dir / "CURRENT").exists():
        if not args.products:
            raise SystemExit(f"no index under {settings.search_index_dir}: see the docstring")
        print(f"building a synthetic catalog of {args.products:,} products ...")
        build(settings.search_index_dir, args.products)
    index = TantivyIndex(settings.search_index_dir)
    queries = query_mix(index, args.queries)
    searcher = index.searcher()
    specs = {q: build_query(index.schema, query_spec(parse_query(q), 20)) for q in queries}
    products = [hit.doc["product_id"] for hit in _some_products(index, RECOMMENDATION_CALLS)]
    load = os.getloadavg()
    figures: dict[str, Any] = {
        "machine": f"{os.cpu_count()} cores, {_cpu_model()}",
        "load_average_at_start": [round(x, 2) for x in load],
        "products": index.count(),
        "queries": len(queries),
    }
    figures |= at_1_and_8_clients(
        lambda q: searcher.search(specs[q], limit=20, count=True),
        queries, "raw_tantivy_", "raw tantivy, in this process",
    )  # fmt: skip
    index.close()
    print("the search and recommendation services, in this process ...")
    shopper = _known_shopper(settings)
    figures["feed_history_length"] = None if shopper is None else len(shopper.recent_products)
    figures["in_process"] = in_process(settings, queries, products, shopper)
    many = args.replicas or os.cpu_count() or 1
    for replicas in sorted({1, many}):
        print(f"HTTP straight to Ray Serve, {replicas} replica(s) ...")
        figures[f"http_{replicas}_replicas"] = direct(settings, queries, replicas)
    print(f"HTTP through the gateway ({GATEWAY_WORKERS} workers) to {many} replica(s) ...")
    figures["gateway"] = gateway = through_gateway(settings, queries, products, many, shopper)
    reference = figures["in_process"]["search_8_clients_ms"]
    path = gateway["search_8_clients_ms"]
    figures["goals"] = {
        "search_p50_vs_in_process": _ratio(path, reference, "p50"),
        "search_p99_vs_in_process": _ratio(path, reference, "p99"),
        "search_qps_vs_in_process": _ratio(path, reference, "qps"),
        "feed_p99_ms": gateway["feed_8_clients_ms"]["p99"],
        "known_shopper_feed_p99_ms": gateway.get("feed_known_8_clients_ms", {}).get("p99"),
        "goal": f"p50 and p99 at most {GOAL_RATIO}x, throughput at least 0.7x the in-process "
        f"service at 8 clients; a feed's p99 at most {GOAL_RECS_P99_MS} ms",
    }
    figures["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    figures["command"] = (
        f"python -m benchmarks.search_http --data-dir {settings.data_dir} --queries {args.queries}"
    )
    figures["rate_limits"] = rate_limits_record()
    figures["headline"] = headline(
        f"search p50, gateway to {many} replica(s), 8 clients, vs the in-process service",
        path["p50"], reference["p50"], reference_name="search service in process, 8 threads",
        unit="ms", goal=f"at most {GOAL_RATIO}x",
        met=_ratio(path, reference, "p50") <= GOAL_RATIO,
    )  # fmt: skip
    print(json.dumps(figures, indent=2))
    write_report("search_http", figures, settings)  # beside the data dir it measured


def _some_products(index: TantivyIndex, n: int) -> list[Any]:
    return list(index.search(QuerySpec(limit=n)).hits)


if __name__ == "__main__":
    main()
