"""The storefront in a real browser: Debian's Chromium driven by Playwright, against the
launcher's own gateway (the web pages mounted at /shop) in uvicorn, and serving's real FastAPI
ingress (the search, suggest and recommendation services over a tantivy index, no Ray) kept
in step with the outbox by the real search indexer. A SQLite store in a data dir of its own."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from launch.gateway_server import platform_gateway
from serving.app import api as serving_api
from serving.recommend.service import RecommendationService
from serving.search.index import open_index
from serving.search.indexer import SearchIndexer
from serving.search.service import SearchService
from serving.search.suggest import SuggestService
from storeloop.settings import Settings
from tests.integration.transactional.served import served
from transactional.bootstrap import Store

CHROMIUM = "/usr/bin/chromium"  # Debian's package (scripts/install.sh); never downloaded
PASSWORD = "a long passphrase for tests"
SCREENSHOTS = Path(__file__).resolve().parents[3] / "docs" / "screenshots"
INDEX_EVERY_S = 0.1

# (title, brand, category, price, stock): enough for facets, a typo and a sold-out product.
CATALOG = [
    ("Steel kettle 1.7 l", "Acme", "Kitchen", "34.99", 12),
    ("Glass kettle with infuser", "Bolt", "Kitchen", "59.00", 4),
    ("Travel kettle", "Acme", "Kitchen", "21.50", 0),
    ("Kettle descaler tablets", "Clean Co", "Cleaning", "7.99", 40),
    ("Espresso machine", "Bolt", "Kitchen", "249.00", 3),
    ("Trail running shoe", "Swift", "Shoes", "89.90", 9),
    ("Wool hiking socks", "Swift", "Clothing", "14.00", 25),
    ("Cast iron skillet", "Acme", "Kitchen", "42.00", 6),
]


@dataclass
class Shop:
    url: str  # the gateway's base URL; the web pages are under /shop
    store: Store
    settings: Settings
    seller_token: str
    products: dict[str, str]  # title -> product_id


def _replica(settings: Settings) -> SimpleNamespace:
    """What serving's routes use of their replica: the real services, without Ray."""
    index = open_index(settings)
    replica = SimpleNamespace(index=index)
    replica.search_service = SearchService(settings, index=index)
    replica.suggestions = SuggestService(index, replica.search_service.queries)
    replica.recommendations = RecommendationService(settings, index=index)
    return replica


def _current_replica():  # type: ignore[no-untyped-def]
    import inspect

    route = next(
        r for r in serving_api.routes if getattr(getattr(r, "endpoint", None), "_serve_cls", 0)
    )
    return inspect.signature(route.endpoint).parameters["self"].default.dependency


@pytest.fixture(scope="session")
def shop(tmp_path_factory) -> Iterator[Shop]:
    dependency = _current_replica()
    stop = threading.Event()
    with served(serving_api) as serving_port:
        settings = Settings(
            data_dir=tmp_path_factory.mktemp("shop"),
            serving_port=serving_port,
            rate_limit_capacity=10_000,
            rate_limit_refill_per_s=10_000,
        )
        settings.ensure_dirs()
        gateway = platform_gateway(settings)
        store: Store = gateway.state.store
        replica = _replica(settings)
        serving_api.dependency_overrides[dependency] = lambda: replica
        indexer = SearchIndexer(settings, index=replica.index)

        def follow_outbox() -> None:
            while not stop.wait(INDEX_EVERY_S):
                indexer.run_once()

        follower = threading.Thread(target=follow_outbox, name="indexer", daemon=True)
        try:
            with served(gateway) as gateway_port:
                url = f"http://127.0.0.1:{gateway_port}"
                seller_token, products = _seed_catalog(url)
                indexer.run_once()
                follower.start()
                yield Shop(url, store, settings, seller_token, products)
        finally:
            stop.set()
            if follower.is_alive():
                follower.join(timeout=5)
            serving_api.dependency_overrides.clear()
            replica.search_service.close()
            store.close()


def _seed_catalog(url: str) -> tuple[str, dict[str, str]]:
    """A seller lists the catalog through the API."""
    with httpx.Client(base_url=url) as api:
        account = {"email": "maker@example.com", "password": PASSWORD}
        api.post("/api/auth/register", json={"name": "Maker", "role": "seller", **account})
        token = api.post("/api/auth/login", json=account).json()["access_token"]
        products = {}
        for title, brand, category, price, stock in CATALOG:
            made = api.post(
                "/api/products",
                json={"title": title, "brand": brand, "category": category, "price": price,
                      "initial_stock": stock, "rating": 4.2},
                headers={"Authorization": f"Bearer {token}"},
            )  # fmt: skip
            assert made.status_code == 201, made.text
            products[title] = made.json()["product_id"]
    return token, products


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One browser per module, not per session: Playwright's sync API marks its event loop
    running in this thread until it exits, and tests outside this folder that call asyncio.run
    would fail after it."""
    if not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: scripts/install.sh installs Debian's chromium")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield launched
        launched.close()


@pytest.fixture
def page(browser, shop) -> Iterator[Page]:
    """A fresh browser context (no cookies) per test: each starts as a new visitor."""
    context = browser.new_context(base_url=shop.url, viewport={"width": 1200, "height": 900})
    context.set_default_timeout(10_000)
    opened = context.new_page()
    yield opened
    context.close()
