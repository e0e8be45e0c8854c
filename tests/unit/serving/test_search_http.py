"""Every search route through the serving app's real FastAPI ingress, in-process (no Ray): the
replica instance the routes get is ours, with a tiny tantivy index behind it."""

import inspect
from types import SimpleNamespace

import pytest
from fastapi.testclient import TestClient

from serving.app import api
from serving.search.query_log import QueryLog
from serving.search.service import SearchService
from serving.search.suggest import SuggestService
from tests.unit.serving.test_search_service import filled_index

PRODUCTS = [
    ("p-1", "Steel kettle", "Acme", "Kitchen", 30.0, 4.8, 5),
    ("p-2", "Glass kettle", "Bolt", "Kitchen", 60.0, 4.1, 0),
    ("p-3", "Kettle descaler", "Acme", "Cleaning", 8.0, 3.5, 10),
    ("p-4", "Running shoe", "Swift", "Shoes", 80.0, 4.9, 2),
    ("p-5", "Café cup", "Crème", "Kitchen", 12.0, 4.2, 3),
]


@pytest.fixture
def client(settings):
    index = filled_index(settings, PRODUCTS)
    replica = SimpleNamespace()  # the replica, with only what the search routes use
    replica.search_service = SearchService(settings, index=index)
    replica.suggestions = SuggestService(index, QueryLog())
    replica.suggestions.queries.record(["steel kettle"] * 2)
    route = next(r for r in api.routes if getattr(getattr(r, "endpoint", None), "_serve_cls", 0))
    current_replica = inspect.signature(route.endpoint).parameters["self"].default.dependency
    api.dependency_overrides[current_replica] = lambda: replica
    try:
        with TestClient(api, raise_server_exceptions=False) as client:
            yield client
    finally:
        api.dependency_overrides.clear()
        replica.search_service.close()


def ids(body):
    return [row["product_id"] for row in body["results"]]


def test_search_demotes_sold_out_by_default_and_filters_or_ignores_on_request(client):
    body = client.get("/search", params={"q": "kettle"}).json()
    assert ids(body)[-1] == "p-2" and body["stock"] == "demote" and body["total"] == 3
    assert "p-2" not in ids(client.get("/search", params={"q": "kettle", "stock": "filter"}).json())
    ignored = client.get("/search", params={"q": "kettle", "stock": "ignore", "sort": "price_desc"})
    assert ids(ignored.json()) == ["p-2", "p-1", "p-3"]
    in_stock = client.get("/search", params={"q": "kettle in stock", "stock": "ignore"})
    assert ids(in_stock.json()) == ["p-1", "p-3"]  # the words filter, whatever the parameter


def test_sort_pagination_facets_and_analysis(client):
    first = client.get("/search", params={"q": "", "sort": "price_asc", "limit": 2}).json()
    second = client.get("/search", params={"q": "", "sort": "price_asc", "limit": 2, "page": 2})
    assert ids(first) == ["p-3", "p-5"] and ids(second.json()) == ["p-1", "p-4"]
    assert [row["position"] for row in second.json()["results"]] == [3, 4]
    assert first["facets"]["brand"][0] == {"value": "acme", "count": 2}
    assert client.get("/search", params={"q": "x", "facets": "false"}).json()["facets"] == {}
    assert ids(client.get("/search", params={"q": "cafe"}).json()) == ["p-5"]
    assert ids(client.get("/search", params={"q": "running shoes"}).json()) == ["p-4"]


def test_a_category_filter_matches_a_word_of_a_node_and_facets_count_a_level(client):
    """`category:` in any case; the deeper cases are in the index contract suite."""
    body = client.get("/search", params={"q": "kettle category:KITCHEN"}).json()
    assert sorted(ids(body)) == ["p-1", "p-2"] and body["parsed"]["category"] == "KITCHEN"
    counted = client.get("/search", params={"q": "", "category_level": 1}).json()["facets"]
    assert {(f["path"], f["count"]) for f in counted["category_tree"]} == {
        ("kitchen", 3),
        ("cleaning", 1),
        ("shoes", 1),
    }
    assert "category_tree" not in client.get("/search", params={"q": ""}).json()["facets"]


def test_suggest_completes_from_queries_and_titles(client):
    body = client.get("/search/suggest", params={"prefix": "ste"}).json()
    assert body["suggestions"][0] == {"text": "steel kettle", "source": "query", "count": 2}
    assert client.get("/search/suggest", params={"prefix": ""}).json()["suggestions"] == []
    too_long = client.get("/search/suggest", params={"prefix": "a" * 1_001})
    assert too_long.status_code == 400 and too_long.json()["error"]["code"] == "prefix_too_long"


@pytest.mark.parametrize(
    "q", ["", " ", '"', "*", "OR OR", "brand:", 'brand:"', '"unbalanced', "kettle)", "\x00\x01",
          "%", "\\", "NOT", "a" * 1_000, "AND brand:acme OR", "é" * 300],
)  # fmt: skip
def test_odd_queries_give_a_valid_response(client, q):
    response = client.get("/search", params={"q": q})
    assert response.status_code == 200
    assert isinstance(response.json()["results"], list)


def test_binary_bytes_in_the_url_give_a_valid_response(client):
    response = client.get("/search?q=%FF%FE%00kettle")
    assert response.status_code == 200 and response.json()["total"] >= 0


@pytest.mark.parametrize(
    ("params", "status", "code", "field"),
    [
        ({"q": "a" * 1_001}, 400, "query_too_long", "q"),
        ({"q": "kettle", "stock": "hide"}, 422, "invalid_request", "stock"),
        ({"q": "kettle", "sort": "random"}, 422, "invalid_request", "sort"),
        ({"q": "kettle", "limit": 0}, 422, "invalid_request", "limit"),
        ({"q": "kettle", "page": "two"}, 422, "invalid_request", "page"),
        ({"q": "kettle", "offset": -1}, 422, "invalid_request", "offset"),
        ({"q": "kettle", "category_level": 0}, 422, "invalid_request", "category_level"),
        ({"q": "kettle", "category_level": 5}, 422, "invalid_request", "category_level"),
    ],
)
def test_bad_parameters_are_4xx_with_a_code_and_field(client, params, status, code, field):
    response = client.get("/search", params=params)
    assert response.status_code == status
    error = response.json()["error"]
    assert (error["code"], error["field"]) == (code, field) and error["message"]


def test_error_bodies_carry_the_callers_request_id_or_a_fresh_one(client):
    given = client.get("/search", params={"q": "a" * 1_001}, headers={"X-Request-Id": "req-42"})
    assert given.json()["error"]["request_id"] == "req-42"
    assert given.headers["X-Request-Id"] == "req-42"
    fresh = client.get("/search", params={"limit": 0})
    made = fresh.json()["error"]["request_id"]
    assert made and fresh.headers["X-Request-Id"] == made and made != "req-42"


def test_a_failure_no_route_caught_answers_500_in_the_error_format(client, monkeypatch):
    replica = next(iter(client.app.dependency_overrides.values()))()

    def broken(*_args, **_kwargs):
        raise RuntimeError("index went away")

    monkeypatch.setattr(replica.search_service, "search", broken)
    response = client.get("/search", params={"q": "kettle"}, headers={"X-Request-Id": "req-7"})
    assert response.status_code == 500
    assert response.json()["error"] == {
        "code": "internal_error", "message": "internal error", "field": None, "request_id": "req-7"
    }  # fmt: skip
