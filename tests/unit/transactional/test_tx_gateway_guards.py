"""The gateway's guards: security headers on every answer, a request body size limit, and a CORS
policy that admits only the configured browser origins."""

from __future__ import annotations

from decimal import Decimal

from fastapi.testclient import TestClient

from storeloop.settings import Settings
from tests.unit.transactional.test_tx_api import CHEAP_HASHER, as_user, sign_up
from transactional.gateway.app import create_app

SHOP = "https://shop.example"


def gateway(store, tmp_path, **settings) -> TestClient:
    config = Settings(data_dir=tmp_path, database_url="sqlite://", serving_port=9, **settings)
    return TestClient(create_app(config, store=store, hasher=CHEAP_HASHER))


def test_every_answer_carries_the_security_headers(store, tmp_path):
    with gateway(store, tmp_path) as api:
        for answer in (api.get("/api/products"), api.get("/api/nowhere"), api.get("/health")):
            assert answer.headers["X-Content-Type-Options"] == "nosniff"
            assert answer.headers["X-Frame-Options"] == "DENY"
            assert answer.headers["Referrer-Policy"] == "no-referrer"
            assert answer.headers["Cache-Control"] == "no-store"
            assert "frame-ancestors 'none'" in answer.headers["Content-Security-Policy"]
            # Plain HTTP: a browser ignores HSTS there, so it is not sent.
            assert "Strict-Transport-Security" not in answer.headers
        # The interactive docs load their scripts: the JSON API's CSP would blank the page.
        docs = api.get("/docs")
        assert docs.status_code == 200 and "Content-Security-Policy" not in docs.headers
        assert docs.headers["X-Frame-Options"] == "DENY"


def test_hsts_over_tls(store, tmp_path):
    with TestClient(gateway(store, tmp_path).app, base_url="https://testserver") as api:
        answer = api.get("/api/products")
    assert answer.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_a_body_over_the_limit_is_413_and_nothing_is_written(store, tmp_path):
    with gateway(store, tmp_path, max_request_bytes=2048) as api:
        _seller, tokens = sign_up(api, "Sal", "sal@example.com", "seller")
        seller = tokens["access_token"]
        big = {"title": "Lamp", "price": "9.99", "description": "x" * 4096}
        declared = api.post("/api/products", json=big, headers=as_user(seller))
        assert declared.status_code == 413
        assert declared.json()["error"]["code"] == "payload_too_large"

        def chunks():  # no Content-Length: the limit counts what arrives
            yield b'{"title": "Lamp", "price": "9.99", "description": "'
            for _ in range(8):
                yield b"x" * 512
            yield b'"}'

        chunked = api.post(
            "/api/products",
            content=chunks(),
            headers={**as_user(seller), "Content-Type": "application/json"},
        )
        assert chunked.status_code == 413
        assert chunked.json()["error"]["code"] == "payload_too_large"
        assert api.get("/api/products").json()["items"] == []
        small = api.post("/api/products", json={**big, "description": ""}, headers=as_user(seller))
        assert small.status_code == 201


def test_cors_admits_only_configured_origins(store, tmp_path):
    preflight = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": ""}
    with gateway(store, tmp_path, cors_origins=[SHOP]) as api:
        allowed = api.options(
            "/api/cart/items",
            headers={
                **preflight,
                "Origin": SHOP,
                "Access-Control-Request-Headers": "Content-Type, X-Cart-Id",
            },
        )
        assert allowed.status_code == 200
        assert allowed.headers["Access-Control-Allow-Origin"] == SHOP
        assert allowed.headers["Access-Control-Allow-Credentials"] == "true"
        read = api.get("/api/products", headers={"Origin": SHOP})
        assert read.headers["Access-Control-Allow-Origin"] == SHOP
        assert "X-Request-Id" in read.headers["Access-Control-Expose-Headers"]

        stranger = api.get("/api/products", headers={"Origin": "https://evil.example"})
        assert "Access-Control-Allow-Origin" not in stranger.headers
        refused = api.options(
            "/api/cart/items", headers={**preflight, "Origin": "https://evil.example"}
        )
        assert refused.status_code == 400
    with gateway(store, tmp_path) as same_origin_only:
        answer = same_origin_only.get("/api/products", headers={"Origin": SHOP})
        assert "Access-Control-Allow-Origin" not in answer.headers


def test_the_guest_cart_cookie_is_http_only_lax_and_secure_over_tls(store, tmp_path, seller):
    product_id = store.catalog.create_product(
        seller, "Lamp", "", "Lux", "lighting", Decimal("9.99"), initial_stock=5
    )
    app = gateway(store, tmp_path).app
    for base_url, secure in (("http://testserver", False), ("https://testserver", True)):
        with TestClient(app, base_url=base_url) as api:
            added = api.post("/api/cart/items", json={"product_id": product_id})
        cookie = added.headers["set-cookie"].lower()
        assert added.status_code == 201 and "httponly" in cookie and "samesite=lax" in cookie
        assert ("; secure" in cookie) is secure


def test_blocking_request_work_runs_on_the_configured_threads(store, tmp_path):
    """A request's database work runs on this many threads per worker, not anyio's 40, which
    contended for the interpreter lock (see Settings.gateway_threads)."""
    from anyio import to_thread

    def threads() -> int:
        return to_thread.current_default_thread_limiter().total_tokens

    for wanted in (4, 7):
        with gateway(store, tmp_path, gateway_threads=wanted) as api:
            assert api.portal is not None and api.portal.call(threads) == wanted
            assert api.get("/api/products").status_code == 200
