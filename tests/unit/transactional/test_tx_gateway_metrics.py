"""The gateway's /metrics: Prometheus text whose series move with the traffic, labelled by route
template and status, never limited, and not part of the public API's schema."""

from __future__ import annotations

from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from storeloop.settings import Settings
from tests.unit.transactional.test_tx_api import CHEAP_HASHER
from transactional.gateway.app import create_app


def scrape(api) -> dict[tuple[str, tuple], float]:
    answer = api.get("/metrics")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(answer.text)
        for sample in family.samples
    }


def requests(method: str, route: str, status: int) -> tuple[str, tuple]:
    labels = {"method": method, "route": route, "status": str(status)}
    return "storeloop_gateway_requests_total", tuple(sorted(labels.items()))


def latency_count(method: str, route: str) -> tuple[str, tuple]:
    labels = {"method": method, "route": route}
    return "storeloop_gateway_request_seconds_count", tuple(sorted(labels.items()))


def test_the_series_move_with_the_traffic(store, tmp_path, make_product):
    product_id = make_product()
    settings = Settings(data_dir=tmp_path, database_url="sqlite://", serving_port=9)
    app = create_app(settings, store=store, hasher=CHEAP_HASHER)
    with TestClient(app) as api:

        def traffic(reads: int) -> None:
            for _ in range(reads):
                assert api.get(f"/api/products/{product_id}").status_code == 200
            assert api.get("/api/products/p-nope").status_code == 404
            assert api.get("/api/cart").status_code == 401
            assert api.get("/nowhere/at/all").status_code == 404
            assert api.post("/api/auth/register", json={"name": ""}).status_code == 422

        # Once first: a series starts where this process left it (Feast, once imported, keeps
        # prometheus_client's values in per-process files), so only differences are exact.
        traffic(reads=1)
        before = scrape(api)
        traffic(reads=3)
        after = scrape(api)

    def moved(key: tuple[str, tuple]) -> float:
        return after.get(key, 0.0) - before.get(key, 0.0)

    product = "/api/products/{product_id}"
    assert moved(requests("GET", product, 200)) == 3  # one series per template, not per id
    assert moved(requests("GET", product, 404)) == 1
    assert moved(requests("GET", "/api/cart", 401)) == 1
    assert moved(requests("GET", "unmatched", 404)) == 1
    assert moved(requests("POST", "/api/auth/register", 422)) == 1
    assert moved(latency_count("GET", product)) == 4  # the 200s and the 404
    assert after[("storeloop_gateway_request_seconds_sum", latency_count("GET", product)[1])] > 0
    # The first scrape itself was counted by the time of the second.
    assert moved(requests("GET", "/metrics", 200)) == 1
    assert "/metrics" not in app.openapi()["paths"]


def test_scrapes_are_never_rate_limited(store, tmp_path):
    settings = Settings(
        data_dir=tmp_path,
        database_url="sqlite://",
        serving_port=9,
        rate_limit_capacity=2,
        rate_limit_refill_per_s=1e-6,
    )
    with TestClient(create_app(settings, store=store, hasher=CHEAP_HASHER)) as api:
        assert all(api.get("/metrics").status_code == 200 for _ in range(5))
