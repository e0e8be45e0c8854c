"""The gateway app: every context's router under /api, one error format, a health check."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from functools import lru_cache
from typing import Any

from anyio import to_thread
from argon2 import PasswordHasher
from fastapi import APIRouter, FastAPI, Response
from fastapi.middleware.cors import CORSMiddleware
from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy import text
from starlette.routing import BaseRoute

from storeloop.seller_sales import SellerSales
from storeloop.settings import Settings
from storeloop.tracing import configure_tracing
from transactional.bootstrap import Store, bootstrap
from transactional.cart.port import make_cart_backend, use_cart_backend
from transactional.cart.routes import router as cart_router
from transactional.catalog.category_routes import router as category_router
from transactional.catalog.offer_routes import router as offer_router
from transactional.catalog.review_routes import router as review_router
from transactional.catalog.routes import router as catalog_router
from transactional.common.cache import Cache, make_cache
from transactional.gateway.errors import (
    ERROR_RESPONSES,
    ErrorResponse,
    GatewayErrorCode,
    error_response,
    install_error_handlers,
)
from transactional.gateway.identity import token_claims
from transactional.gateway.metrics import GatewayMetrics
from transactional.gateway.middleware import GatewayMiddleware
from transactional.gateway.openapi_schema import document_without_nulls
from transactional.gateway.rate_limit import RateLimit, RateLimiter
from transactional.gateway.sales_routes import router as sales_router
from transactional.gateway.serving_proxy import router as serving_router
from transactional.inventory.routes import router as inventory_router
from transactional.orders.routes import router as orders_router
from transactional.payments.routes import router as payment_webhooks_router
from transactional.shipping.routes import router as shipping_webhooks_router
from transactional.storefront.routes import router as storefront_router
from transactional.users.auth import AuthService
from transactional.users.login_guard import LoginGuard, LoginLimits
from transactional.users.passwords import default_hasher
from transactional.users.recovery import PasswordResetService
from transactional.users.reset_guard import ResetGuard, ResetLimits
from transactional.users.routes import auth_router, users_router
from transactional.users.security_routes import mfa_router, recovery_router
from transactional.users.tokens import TokenKeys


def create_app(
    settings: Settings,
    store: Store | None = None,
    *,
    hasher: PasswordHasher | None = None,
    rate_limit: RateLimit | None = None,
    cache: Cache | None = None,
    seller_sales: SellerSales | None = None,
) -> FastAPI:
    """Builds the store from settings unless one is given (tests, the simulator's own store);
    `hasher` lets tests use cheaper argon2 parameters; `rate_limit` is per client (default
    from settings), kept in `cache` (default make_cache(settings): Redis when configured);
    `seller_sales` reads the marts for the sellers' sales view (the launcher passes the
    warehouse's reader; without one that route answers 503)."""
    if settings.profile == "cluster" and (found := settings.development_secrets()):
        raise RuntimeError(
            f"the cluster profile refuses development secrets: set {', '.join(found)}"
        )
    owns_store, owns_cache = store is None, cache is None
    configure_tracing("storeloop-gateway", settings)
    store = store or bootstrap(settings)
    cache = cache or make_cache(settings)
    # A store of our own chose its carts from these settings; one handed in gets them too.
    carts = None if owns_store else make_cart_backend(settings)
    if carts is not None:
        use_cart_backend(store.engine, carts)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # The limiter is this event loop's, so each worker (and each test's app) sets its own.
        to_thread.current_default_thread_limiter().total_tokens = settings.gateway_threads
        _app.state.lifespan_loop = asyncio.get_running_loop()  # serving's pooled session's
        yield
        _app.state.lifespan_loop = None
        held = getattr(_app.state, "serving_client", None)
        if held is not None:
            await held.close()
        if owns_store:
            store.close()
        if owns_cache:
            cache.close()
        if carts is not None:
            carts.close()

    app = FastAPI(title="storeloop gateway", lifespan=lifespan)
    app.state.store = store
    app.state.seller_sales = seller_sales
    app.state.serving_url = settings.serving_url
    app.state.serving_timeout_s = settings.serving_timeout_s
    hasher = hasher or default_hasher()
    app.state.auth = AuthService(store.users.uow, token_keys(settings), hasher)
    app.state.recovery = PasswordResetService(
        store.users.uow,
        hasher,
        store.mailer,
        timedelta(minutes=settings.password_reset_ttl_minutes),
    )
    app.state.reset_guard = ResetGuard(
        cache,
        ResetLimits(
            settings.password_reset_per_client_per_hour,
            settings.password_reset_per_account_per_hour,
        ),
    )
    app.state.cache = cache
    app.state.metrics = GatewayMetrics()
    app.state.login_guard = LoginGuard(
        cache,
        LoginLimits(
            settings.login_attempts_per_minute,
            settings.login_failures_before_lock,
            settings.login_lock_s,
        ),
    )
    install_error_handlers(app)
    if settings.cors_origins:
        # Inside the gateway middleware: a preflight is rate limited and carries a request id.
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PATCH", "DELETE"],
            allow_headers=CORS_REQUEST_HEADERS,
            expose_headers=CORS_EXPOSED_HEADERS,
            allow_credentials=True,  # the guest cart's cookie
            max_age=600,
        )
    app.add_middleware(
        GatewayMiddleware,
        limiter=RateLimiter(cache, rate_limit or RateLimit.from_settings(settings)),
        token_claims=lambda authorization: token_claims(app.state.auth, authorization),
        max_body_bytes=settings.max_request_bytes,
        metrics=app.state.metrics,
        max_in_flight=settings.gateway_max_in_flight,
    )
    app.router.routes.extend(_context_routes())

    @app.get("/health", tags=["health"], responses=HEALTH_RESPONSES)
    def health() -> Any:
        try:
            with store.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except Exception as error:  # noqa: BLE001 - health reports any failure, never raises
            return error_response(503, GatewayErrorCode.DATABASE_UNAVAILABLE.value, repr(error))
        return {"status": "ok"}

    @app.get("/metrics", include_in_schema=False)
    def metrics() -> Response:
        return Response(app.state.metrics.exposition(), media_type=CONTENT_TYPE_LATEST)

    app.openapi = document_without_nulls(app)  # type: ignore[method-assign]
    return app


@lru_cache(maxsize=1)
def _context_routes() -> tuple[BaseRoute, ...]:
    """Every context's routes with the shared error responses, built once per process. Building
    compiles each parameter's validator (a third of a second for the whole API); the routes hold
    no app state (handlers read `request.app.state`), so every app of a process shares them: a
    test builds hundreds of apps."""
    api = APIRouter()
    for router in (
        auth_router,
        recovery_router,
        users_router,
        mfa_router,
        catalog_router,
        offer_router,
        category_router,
        review_router,
        inventory_router,
        cart_router,
        orders_router,
        sales_router,
        payment_webhooks_router,
        shipping_webhooks_router,
        storefront_router,
        serving_router,
    ):
        api.include_router(router, responses=ERROR_RESPONSES)
    return tuple(api.routes)


CORS_REQUEST_HEADERS = [
    "Authorization",
    "Content-Type",
    "Idempotency-Key",
    "X-Cart-Id",
    "X-Request-Id",
]
CORS_EXPOSED_HEADERS = [
    "Retry-After",
    "X-Cart-Id",
    "X-RateLimit-Limit",
    "X-RateLimit-Remaining",
    "X-RateLimit-Reset",
    "X-Request-Id",
]

HEALTH_RESPONSES: dict[int | str, dict] = {
    503: {"model": ErrorResponse, "description": "the database does not answer"}
}


def token_keys(settings: Settings) -> TokenKeys:
    return TokenKeys(
        secret=settings.jwt_secret, access_ttl=timedelta(seconds=settings.access_token_ttl_s)
    )
