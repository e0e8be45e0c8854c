"""The Ray Serve application: search, recommendations, health and model versions over FastAPI."""

from __future__ import annotations

import asyncio
import contextvars
import logging
import os
import socket
import warnings
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST
from starlette.exceptions import HTTPException as StarletteHTTPException

from serving.champions import (
    CHALLENGER,
    POLL_S,
    RANKER,
    RECOMMENDER,
    ChampionSlot,
    ChampionWatcher,
)
from serving.metrics import METRICS, Served
from serving.request_ids import RequestIds, error_body
from serving.search.formatter import INTERLEAVED
from serving.search.index.port import FACET_LEVELS
from storeloop.settings import Settings
from storeloop.tracing import configure_tracing

with warnings.catch_warnings():
    # Serve's own config models use a pydantic 1 idiom that pydantic 2 warns about on import:
    # nothing the store's operator can act on (pytest's ini filter for it did not catch it).
    warnings.filterwarnings("ignore", message="Using extra keyword arguments on `Field`")
    from ray import serve as serve  # as serve: run.py imports it from here, quietly

api = FastAPI(title="storeloop serving")
api.add_middleware(RequestIds, metrics=METRICS)
MAX_QUERY_CHARS = 1_000  # longer is not a shopper's query: a clear 400, not a truncated search
# Serve runs the app's event loop with `run_forever`, where anyio finds no root task: every call
# FastAPI handed to anyio's thread pool started a thread of its own and ended it with the request,
# twice a request (the endpoint, then the response's validation). The shoppers' endpoints are
# coroutines that hand their work to these threads instead, which live as long as the replica.
REQUEST_THREADS = ThreadPoolExecutor(4, thread_name_prefix="request")
# The index's reader looks for the indexer's commits at most this often, not on each of a search's
# several index calls (2-3 file stats each): that was a tenth of a replica's CPU per search.
INDEX_CHECK_S = 0.05


@api.exception_handler(RequestValidationError)
async def invalid_request(_: Request, error: RequestValidationError) -> JSONResponse:
    first = (error.errors() or [{}])[0]
    field = ".".join(str(part) for part in first.get("loc", ())[1:]) or None
    message = str(first.get("msg", "invalid request"))
    return JSONResponse(error_body("invalid_request", message, field), status_code=422)


@api.exception_handler(StarletteHTTPException)
async def http_error(_: Request, error: StarletteHTTPException) -> JSONResponse:
    body = error_body("not_found" if error.status_code == 404 else "http_error", str(error.detail))
    # A 405's `Allow` (RFC 9110): Starlette names the route's methods, one route per path here.
    return JSONResponse(body, status_code=error.status_code, headers=error.headers)


async def off_loop(work: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """`work` on the request threads, in the request's context (its trace, its request id)."""
    context = contextvars.copy_context()
    call = partial(context.run, work, *args, **kwargs)
    return await asyncio.get_running_loop().run_in_executor(REQUEST_THREADS, call)


@serve.deployment(name="storeloop", ray_actor_options={"num_cpus": 0.5})
@serve.ingress(api)
class StoreServing:
    """Loads the index and champions once; a watcher thread swaps champions in without restart."""

    def __init__(self, settings: Settings, poll_s: float = POLL_S) -> None:
        from serving.features import OnlineFeatures
        from serving.recommend.service import RecommendationService
        from serving.search.index import open_index
        from serving.search.service import SearchService
        from serving.search.suggest import SuggestService

        configure_tracing("storeloop-serving", settings)
        self.serving_host = settings.serving_host  # where direct ingress binds each replica
        self.one_scoring_thread()
        index = open_index(settings, INDEX_CHECK_S)
        features = OnlineFeatures(settings)
        self.ranker_slot = ChampionSlot(settings, RANKER)
        self.recommender_slot = ChampionSlot(settings, RECOMMENDER)
        # The ranker under experiment: interleaved with the champion in a share of searches.
        self.challenger_slot = ChampionSlot(settings, RANKER, CHALLENGER)
        slots = [self.ranker_slot, self.recommender_slot, self.challenger_slot]
        for slot in slots:
            slot.refresh()
        self.search_service = SearchService(settings, features=features, index=index)
        # Histories are read per request from the same online store the ranker reads.
        self.recommendations = RecommendationService(settings, index=index, features=features)
        self.suggestions = SuggestService(index, self.search_service.queries)
        self._use_champions()
        METRICS.follow(
            self.replica(),
            [Served(self.ranker_slot, "index"), Served(self.recommender_slot, "popularity"),
             Served(self.challenger_slot, None)],
            features,
        )  # fmt: skip
        # The first Feast read builds its store, and the title encoder takes seconds to load:
        # pay both here, not in a shopper's request or in a later swap of champions under load.
        self.search_service.search("warm up", customer_id="warm-up")
        self.recommendations.recommend("warm-up", 1)
        self.warm_encoder()
        self.watcher = ChampionWatcher(slots, poll_s, self._use_champions)
        self.watcher.start()

    def _use_champions(self) -> None:
        # One attribute assignment each: a request in flight keeps the model it started with.
        self.search_service.ranker = self.ranker_slot.model
        self.search_service.challenger = self.challenger_slot.model
        self.recommendations.recommender = self.recommender_slot.model

    @api.get("/search")
    async def search(
        self,
        q: str = "",
        customer_id: str | None = None,
        limit: int = Query(20, ge=1, le=100),
        in_stock_only: bool = False,
        page: int = Query(1, ge=1, le=1000),
        offset: int | None = Query(None, ge=0, le=1000),
        sort: str | None = Query(None, pattern="^(relevance|price_asc|price_desc|rating|newest)$"),
        stock: str = Query("demote", pattern="^(demote|filter|ignore)$"),
        facets: bool = True,
        category_level: int | None = Query(None, ge=1, le=FACET_LEVELS),
    ) -> Any:
        if len(q) > MAX_QUERY_CHARS:
            body = error_body("query_too_long", f"q is over {MAX_QUERY_CHARS} characters", "q")
            return JSONResponse(body, status_code=400)
        response = await off_loop(
            self.search_service.search, q, customer_id, limit, in_stock_only, page=page,
            offset=offset, sort=sort, facets=facets, stock=stock, category_level=category_level,
        )  # fmt: skip
        METRICS.served_to("search", response.arm, response.ranker == INTERLEAVED)
        return JSONResponse(response.as_dict())

    @api.get("/search/suggest")
    async def suggest(self, prefix: str = "", limit: int = Query(8, ge=1, le=20)) -> Any:
        if len(prefix) > MAX_QUERY_CHARS:
            body = error_body(
                "prefix_too_long", f"prefix is over {MAX_QUERY_CHARS} chars", "prefix"
            )
            return JSONResponse(body, status_code=400)
        return await off_loop(self.suggestions.suggest, prefix, limit)

    @api.get("/recommendations/similar/{product_id}")
    async def similar(
        self, product_id: str, k: int = Query(10, ge=1, le=100), customer_id: str | None = None
    ) -> Any:
        answer = await off_loop(self.recommendations.similar, product_id, k, customer_id)
        METRICS.served_to("recommendations", answer["arm"])
        return JSONResponse(answer)

    @api.get("/recommendations/{user_id}")
    async def recommend(self, user_id: str, k: int = Query(10, ge=1, le=100)) -> Any:
        answer = await off_loop(self.recommendations.recommend, user_id, k)
        METRICS.served_to("recommendations", answer["arm"])
        return JSONResponse(answer)

    @api.get("/metrics", include_in_schema=False)
    def metrics(self) -> Response:
        return Response(METRICS.exposition(), media_type=CONTENT_TYPE_LATEST)

    @api.get("/health")
    def health(self) -> dict[str, Any]:
        return {"status": "ok", "products": self.search_service.index.count(),
                "replica": self.replica()}  # fmt: skip

    @api.get("/replicas")
    def replica_urls(self) -> dict[str, Any]:
        """Where each replica answers HTTP without the proxy (Serve's direct ingress; none
        without it): the gateway spreads its requests over these."""
        from serving.direct_ingress import replica_urls
        from serving.run import APP_NAME

        return {"replicas": replica_urls(APP_NAME, self.serving_host)}

    @api.get("/models")
    def models(self) -> dict[str, Any]:
        ranker, recommender = self.ranker_slot.model, self.recommender_slot.model
        return {
            "search-ranker": self.ranker_slot.version,
            "recommender": self.recommender_slot.version,
            "ranker_in_use": self.ranker_slot.version or "index",
            "ranker_kind": getattr(ranker, "kind", None) or "index",
            "ranker_challenger": self.challenger_slot.version,
            "interleave_share": self.search_service.interleave_share,
            "recommender_in_use": self.recommender_slot.version or "popularity",
            "recommender_kind": getattr(recommender, "kind", None) or "popularity",
            "replica": self.replica(),
        }

    @staticmethod
    def one_scoring_thread() -> None:
        """Replicas are one per core: a torch call spreading over every core's OpenMP thread
        meets the other replicas' there, and its spinning threads wait on each other (one feed's
        model took 500 ms at p50 with 2 threads on the 2 busy cores, 21 ms with 1)."""
        import torch

        torch.set_num_threads(1)

    @staticmethod
    def warm_encoder() -> None:
        try:
            from models.ranker.embeddings import load_encoder

            load_encoder()
        except Exception as error:  # rankers then score without title similarity, as before
            logging.getLogger(__name__).warning("title encoder unavailable: %r", error)

    @staticmethod
    def replica() -> str:
        """Tells the replica processes apart (one per core by default): the pid on its host.
        A method, not a module function: Ray ships this class to its workers by value."""
        return f"{socket.gethostname()}:{os.getpid()}"

    def __del__(self) -> None:
        watcher = getattr(self, "watcher", None)
        if watcher is not None:
            watcher.stop()


MAX_DEFAULT_REPLICAS = 8  # each holds its own models and Feast client: a big box sets its own


def replicas(settings: Settings) -> int:
    return settings.serving_replicas or min(os.cpu_count() or 1, MAX_DEFAULT_REPLICAS)


def build_app(settings: Settings, poll_s: float = POLL_S) -> serve.Application:
    """Each replica opens the same index files (memory-mapped: the page cache is shared) and
    follows the champions' aliases itself; Serve's proxy spreads requests over them."""
    deployment = StoreServing.options(num_replicas=replicas(settings))  # type: ignore[attr-defined]
    return deployment.bind(settings, poll_s)


def app_from_env(args: dict[str, str]) -> serve.Application:
    """`serve deploy serving/serve_config.yaml`'s entry: settings from the STORE_* environment
    the Ray cluster was started with (`scripts/cluster.sh` exports it before `ray start`), so no
    secret sits in a config, overridden by the config's args (a run's experiment settings)."""
    overrides: dict[str, Any] = dict(args)  # pydantic parses each from its text
    return build_app(Settings(**overrides))
