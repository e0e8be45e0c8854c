"""Page views without a browser, against the real gateway: a shopper's page load is one
PageViewed with their session id, the kind of page and where they came from; crawlers, forms and
speculative prefetches are none; a page view the gateway refuses is logged and the page shown."""

from __future__ import annotations

import json
import logging

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from contracts import events
from storefront.app import MOUNT, create_storefront
from storefront.page_views import page_kind
from storefront.session import COOKIE, SessionSigner
from storeloop.settings import Settings
from transactional.common.outbox import outbox
from transactional.gateway.app import create_app

SECRET = "a secret for tests"
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0 Safari/537.36"


def gateway(tmp_path, **settings):
    app = create_app(
        Settings(data_dir=tmp_path, database_url="sqlite://", serving_port=9, **settings)
    )
    app.mount(MOUNT, create_storefront(app, SECRET))
    return app


def page_views(app) -> list[dict]:
    with app.state.store.engine.connect() as connection:
        found = connection.execute(
            select(outbox.c.payload).where(outbox.c.type == events.PAGE_VIEWED)
        )
        return [json.loads(payload) for (payload,) in found]


def session_id(browser: TestClient) -> str:
    # The jar keeps the value as sent: quoted, for the base64 padding's "=".
    return SessionSigner(SECRET).load(browser.cookies[COOKIE].strip('"')).session_id


def test_a_page_load_is_a_page_view_of_the_shopper_s_session(tmp_path):
    app = gateway(tmp_path)
    with TestClient(app, headers={"user-agent": BROWSER}) as browser:
        assert browser.get("/shop/sign-in").status_code == 200
        came_from = {"referer": "http://testserver/shop/sign-in?next=/shop/"}
        assert browser.get("/shop/sign-up", headers=came_from).status_code == 200
        viewed = page_views(app)
        assert viewed == [
            {"page_view_id": viewed[0]["page_view_id"], "session_id": session_id(browser),
             "customer_id": None, "page": "sign_in", "path": "/shop/sign-in",
             "product_id": None, "referrer_page": None},
            {"page_view_id": viewed[1]["page_view_id"], "session_id": session_id(browser),
             "customer_id": None, "page": "sign_up", "path": "/shop/sign-up",
             "product_id": None, "referrer_page": "sign_in"},
        ]  # fmt: skip


def test_crawlers_forms_prefetches_and_other_sites_referrers(tmp_path):
    app = gateway(tmp_path)
    with TestClient(app, headers={"user-agent": BROWSER}) as browser:
        browser.get("/shop/sign-in", headers={"user-agent": "Googlebot/2.1"})
        browser.get("/shop/sign-in", headers={"user-agent": ""})  # a script, not a shopper
        browser.get("/shop/sign-in", headers={"sec-purpose": "prefetch"})
        browser.post("/shop/sign-in", data={"email": "a@b.c", "password": "x"})  # no CSRF: 403
        assert page_views(app) == []
        browser.get("/shop/sign-in", headers={"referer": "https://elsewhere.example/shop/"})
        (viewed,) = page_views(app)
    assert viewed["referrer_page"] is None


def test_a_page_view_the_gateway_refuses_is_logged_and_the_page_shown(tmp_path, caplog):
    # Three requests a client, then about one a day: the pages pass the limit too, so the first
    # page and its view spend two, the second page the third, and its view is refused with 429.
    app = gateway(tmp_path, rate_limit_capacity=3, rate_limit_refill_per_s=0.00001)
    caplog.set_level(logging.WARNING, logger="storefront.page_views")
    with TestClient(app, headers={"user-agent": BROWSER}) as browser:
        assert browser.get("/shop/sign-in").status_code == 200
        assert browser.get("/shop/sign-in").status_code == 200
        assert len(page_views(app)) == 1
    assert "page view of /shop/sign-in not recorded: 429" in caplog.text


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/shop/", "home"),
        ("/shop", "home"),
        ("/shop/search", "search"),
        ("/shop/products/p-1", "product"),
        ("/shop/cart", "cart"),
        ("/shop/orders", "orders"),
        ("/shop/seller/products/p-1", "seller"),
        ("/shop/suggest", None),
        ("/shop/static/store.css", None),
        ("/api/search", None),
        ("/shopping", None),
    ],
)
def test_a_path_s_page_kind_is_one_of_the_contract_s(path, kind):
    assert page_kind(path) == kind
    assert kind is None or kind in events.PAGE_KINDS
