"""The gateway forwards /api/search and /api/recommendations to a real HTTP server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from storeloop.settings import Settings
from tests.integration.transactional.served import served
from transactional.gateway.app import create_app


def stand_in_serving() -> FastAPI:
    """Answers like serving's contract says, echoing what it was asked."""
    app = FastAPI()

    @app.get("/search")
    def search(q: str, customer_id: str | None = None, limit: int = 20):
        return {"query": q, "customer_id": customer_id, "limit": limit, "results": []}

    @app.get("/search/suggest")
    def suggest(prefix: str, limit: int = 8):
        return {"prefix": prefix, "limit": limit, "suggestions": []}

    @app.get("/recommendations/similar/{product_id}")
    def similar(product_id: str, k: int = 10):
        return {"product_id": product_id, "k": k, "items": []}

    @app.get("/recommendations/{user_id}")
    def recommend(user_id: str, k: int = 10):
        return {"user_id": user_id, "k": k, "items": []}

    return app


@pytest.fixture
def serving_port() -> Iterator[int]:
    with served(stand_in_serving()) as port:
        yield port


def test_search_and_recommendations_are_proxied(tmp_path, serving_port):
    settings = Settings(data_dir=tmp_path, serving_port=serving_port)
    with TestClient(create_app(settings)) as api:
        found = api.get("/api/search", params={"q": "lamp", "customer_id": "c-1", "limit": 5})
        assert found.status_code == 200
        assert found.json() == {"query": "lamp", "customer_id": "c-1", "limit": 5, "results": []}
        account = {"email": "p@example.com", "password": "a long passphrase"}
        customer = api.post("/api/auth/register", json={"name": "Shopper", **account}).json()
        login = api.post("/api/auth/login", json=account).json()
        recs = api.get(
            f"/api/recommendations/{customer['user_id']}",
            params={"k": 3},
            headers={"Authorization": f"Bearer {login['access_token']}"},
        )
        assert recs.json() == {"user_id": customer["user_id"], "k": 3, "items": []}
        similar = api.get("/api/recommendations/similar/p-000001", params={"k": 4})
        assert similar.json() == {"product_id": "p-000001", "k": 4, "items": []}
        typed = api.get("/api/search/suggest", params={"prefix": "lam", "limit": 3})
        assert typed.json() == {"prefix": "lam", "limit": 3, "suggestions": []}
        # Serving's own 422 passes through unchanged.
        assert api.get("/api/search").status_code == 422
