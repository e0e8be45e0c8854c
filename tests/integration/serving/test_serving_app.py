"""The Ray Serve application over HTTP on a free port, with a tiny tantivy index."""

import socket

import httpx
import pytest

from serving.search.index.tantivy_index import TantivyIndex
from storeloop.settings import Settings

# Starting Serve took 137 s on a slow day with the end-to-end loop beside it: room to spare.
pytestmark = [pytest.mark.ray, pytest.mark.slow, pytest.mark.timeout(300)]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def base_url(tmp_path_factory):
    from serving import run

    settings = Settings(
        data_dir=tmp_path_factory.mktemp("serving"), serving_port=free_port(), serving_replicas=2
    )
    index = TantivyIndex(settings.search_index_dir)
    index.upsert([
        {"product_id": "p-1", "title": "Steel kettle", "brand": "Acme", "category": "Kitchen",
         "price": 30.0, "rating": 4.8, "stock": 5},
        {"product_id": "p-2", "title": "Glass kettle", "brand": "Bolt", "category": "Kitchen",
         "price": 60.0, "rating": 4.1, "stock": 0},
    ])  # fmt: skip
    index.commit()
    try:
        yield run.start(settings, poll_s=1.0)
    finally:
        run.stop()


def test_search_recommendations_health_and_models(base_url):
    with httpx.Client(base_url=base_url, timeout=30) as client:
        health = client.get("/health").json()
        assert (health["status"], health["products"]) == ("ok", 2)

        found = client.get("/search", params={"q": "kettle under 50"}).json()
        assert [r["product_id"] for r in found["results"]] == ["p-1"]
        assert found["ranker"] == "index" and found["ranker_fallback"] == "no_ranker"

        recs = client.get("/recommendations/c-1", params={"k": 5}).json()
        assert [item["product_id"] for item in recs["items"]] == ["p-1"]  # p-2 is sold out
        # No champion yet: the index's popularity, and the response says so.
        assert (recs["recommender"], recs["kind"], recs["fallback"]) == (
            "popularity", "popularity", "no_recommender",
        )  # fmt: skip
        similar = client.get("/recommendations/similar/p-2", params={"customer_id": "c-1"})
        assert similar.status_code == 200 and similar.json()["product_id"] == "p-2"
        assert [item["product_id"] for item in similar.json()["items"]] == ["p-1"]

        models = client.get("/models").json()
        assert models["ranker_in_use"] == "index" and models["recommender_in_use"] == "popularity"

        bad = client.get("/search", params={"q": "kettle", "limit": "lots"})
        assert bad.status_code == 422
        assert bad.json()["error"]["field"] == "limit"
        odd = client.get("/search", params={"q": "\x00((( brand:"})
        assert odd.status_code == 200


def test_searches_are_spread_over_the_replicas(base_url):
    from concurrent.futures import ThreadPoolExecutor

    def replica(_: int) -> str:
        with httpx.Client(base_url=base_url, timeout=30) as client:
            assert client.get("/search", params={"q": "kettle"}).status_code == 200
            return str(client.get("/health").json()["replica"])

    with ThreadPoolExecutor(max_workers=8) as pool:
        seen = set(pool.map(replica, range(64)))
    assert len(seen) == 2  # two processes answered
