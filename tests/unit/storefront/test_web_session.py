"""The storefront's session without a browser: the cookie's flags (Secure over TLS), a tampered
cookie is a fresh session, a form without its token is refused, an expired sign-in goes back to
the sign-in page."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from storefront.app import MOUNT, create_storefront
from storefront.session import COOKIE, Session, SessionSigner
from storeloop.settings import Settings
from transactional.gateway.app import create_app

SECRET = "a secret for tests"


@pytest.fixture
def gateway(tmp_path):
    app = create_app(Settings(data_dir=tmp_path, database_url="sqlite://", serving_port=9))
    app.mount(MOUNT, create_storefront(app, SECRET))
    return app


def test_the_cookie_is_httponly_lax_and_secure_over_tls(gateway):
    with TestClient(gateway, base_url="https://shop.example") as browser:
        answer = browser.get("/shop/sign-in")
    cookie = answer.headers["set-cookie"].lower()
    assert answer.status_code == 200
    assert all(flag in cookie for flag in ("httponly", "samesite=lax", "secure", "path=/shop"))
    assert "default-src 'none'" in answer.headers["content-security-policy"]
    with TestClient(gateway) as browser:
        assert "secure" not in browser.get("/shop/sign-in").headers["set-cookie"].lower()


def test_a_tampered_cookie_is_a_fresh_session():
    signer = SessionSigner(SECRET)
    signed = signer.dump(Session(token="t", user_id="c-1", role="customer"))
    body, _, mac = signed.partition(".")
    forged = signer.dump(Session(user_id="c-2", role="customer")).split(".")[0] + "." + mac
    assert signer.load(signed).user_id == "c-1"
    assert signer.load(forged).user_id is None
    assert SessionSigner("another secret").load(signed).user_id is None
    assert signer.load("not a cookie").token is None


def test_a_form_without_the_session_s_token_is_refused(gateway):
    with TestClient(gateway) as browser:
        browser.get("/shop/sign-in")
        refused = browser.post("/shop/sign-in", data={"email": "a@b.c", "password": "x"})
    assert refused.status_code == 403 and "expired" in refused.text


def test_an_expired_sign_in_leads_back_to_the_sign_in_page(gateway):
    stale = SessionSigner(SECRET).dump(Session(token="expired", user_id="c-1", role="customer"))
    with TestClient(gateway, cookies={COOKIE: stale}) as browser:
        answer = browser.get("/shop/orders", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/shop/sign-in?next=/shop/orders"
