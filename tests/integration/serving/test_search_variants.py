"""A family of variants from the gateway's product API through the event log to search over the
gateway: one result per family, the variant the query's size and colour words name, facets
counting the family once. Serving's FastAPI ingress runs in a real HTTP server (no Ray)."""

from __future__ import annotations

import inspect
from types import SimpleNamespace

from fastapi.testclient import TestClient

from serving.app import api as serving_api
from serving.search.index.tantivy_index import TantivyIndex
from serving.search.indexer import SearchIndexer
from serving.search.service import SearchService
from storeloop.settings import Settings
from tests.integration.transactional.served import served
from tests.unit.transactional.test_tx_api import CHEAP_HASHER, as_user, sign_up
from transactional.bootstrap import bootstrap
from transactional.gateway.app import create_app

SHOES = {
    "title": "Urbanite Classic Running Shoes",
    "description": "Cushioned road shoe",
    "brand": "Urbanite",
    "category": "Fashion > Men's Shoes",
    "options": ["size", "colour"],
    "variants": [
        {"options": {"size": size, "colour": colour}, "price": price, "stock": stock}
        for size, colour, price, stock in [
            ("8", "Red", "40.00", 3), ("12", "Red", "45.00", 2), ("12", "Blue", "45.00", 4),
            ("9", "Blue", "48.00", 0),
        ]
    ],
}  # fmt: skip


def serving_replica(settings: Settings) -> SimpleNamespace:
    """The replica the search route gets, with only what it uses (as tests/unit/serving do)."""
    replica = SimpleNamespace(search_service=SearchService(settings))
    route = next(
        r for r in serving_api.routes if getattr(getattr(r, "endpoint", None), "_serve_cls", 0)
    )
    current_replica = inspect.signature(route.endpoint).parameters["self"].default.dependency
    serving_api.dependency_overrides[current_replica] = lambda: replica
    return replica


def test_a_family_listed_over_http_is_one_search_result_with_the_named_variant(tmp_path):
    TantivyIndex(Settings(data_dir=tmp_path).search_index_dir).close()  # an empty index to serve
    replica = serving_replica(Settings(data_dir=tmp_path))
    store = bootstrap(Settings(data_dir=tmp_path))
    try:
        with served(serving_api) as port:
            settings = Settings(data_dir=tmp_path, serving_port=port)
            with TestClient(create_app(settings, store=store, hasher=CHEAP_HASHER)) as gateway:
                _, tokens = sign_up(gateway, "Sam Seller", "sam@example.com", "seller")
                listed = gateway.post(
                    "/api/products", json=SHOES, headers=as_user(tokens["access_token"])
                )
                assert listed.status_code == 201, listed.text
                parent = listed.json()
                by_values = {tuple(v["options"].values()): v for v in parent["variants"]}
                assert SearchIndexer(settings).run_once() == 1 + 4 + 3  # creates, restocks

                answer = gateway.get("/api/search", params={"q": "red running shoes size 12"})
                assert answer.status_code == 200, answer.text
                found = answer.json()
                plain = gateway.get("/api/search", params={"q": "running shoes"}).json()
    finally:
        serving_api.dependency_overrides.clear()
        replica.search_service.close()
        store.close()

    assert found["total"] == 1 and len(found["results"]) == 1
    result = found["results"][0]
    assert result["product_id"] == by_values[("12", "Red")]["product_id"]  # what goes in a cart
    assert result["family_id"] == parent["product_id"]
    assert result["options"] == {"size": "12", "colour": "Red"}
    assert result["matching_variants"] == 1 and result["price"] == 45.0
    assert found["facets"]["brand"] == [{"value": "urbanite", "count": 1}]
    assert found["facets"]["price"] == [{"value": "25-50", "count": 1}]
    # Every variant matches "running shoes": still one product, its first choice in stock.
    assert plain["total"] == 1 and plain["results"][0]["matching_variants"] == 4
    assert plain["results"][0]["stock"] > 0
    assert plain["facets"]["category"] == [{"value": "fashion > men's shoes", "count": 1}]
