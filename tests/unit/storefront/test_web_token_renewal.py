"""A signed-in shopper whose access token expires (a one-minute lifetime here, the store's clock
moved past it) stays signed in: the storefront renews it with the refresh token, once even for
two tabs at once, and keeps the new tokens in the cookie; a refresh token the gateway refuses
leads back to the sign-in page, as an expired sign-in always did."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from contracts import events
from storefront.app import MOUNT, create_storefront
from storefront.session import COOKIE, Session, SessionSigner
from storeloop.settings import Settings
from tests.unit.transactional.test_tx_api import CHEAP_HASHER
from transactional.bootstrap import bootstrap
from transactional.common.clock import SimulatedClock
from transactional.common.outbox import outbox
from transactional.gateway.app import create_app
from transactional.users.repository import refresh_tokens

SECRET = "a secret for tests"
TTL_S = 60
PASSWORD = "a long passphrase for tests"


@pytest.fixture
def shop(tmp_path):
    clock = SimulatedClock(datetime(2026, 3, 1, 9, 0, tzinfo=UTC))
    # A database file, not one in-memory connection: the two tabs' requests run at once.
    settings = Settings(data_dir=tmp_path, serving_port=9, access_token_ttl_s=TTL_S)
    store = bootstrap(settings, clock=clock)
    app = create_app(settings, store=store, hasher=CHEAP_HASHER)
    app.mount(MOUNT, create_storefront(app, SECRET))
    yield app, clock, store
    store.close()


def signed_in(api: TestClient) -> str:
    """A customer's session cookie as the sign-in page leaves it."""
    account = {"email": "ada@example.com", "password": PASSWORD}
    api.post("/api/auth/register", json={"name": "Ada", "role": "customer", **account})
    tokens = api.post("/api/auth/login", json=account).json()
    session = Session()
    session.sign_in(
        tokens["access_token"], tokens["refresh_token"], tokens["user_id"], "customer", "Ada"
    )
    return SessionSigner(SECRET).dump(session)


def carrying(cookie: str) -> dict[str, str]:
    """A request's Cookie header with this session, whatever the client's jar holds."""
    return {"cookie": f"{COOKIE}={cookie}"}


def session_of(answer: httpx.Response) -> Session:
    cookie = answer.cookies.get(COOKIE, path=MOUNT) or ""
    return SessionSigner(SECRET).load(cookie.strip('"'))


def spent_refresh_tokens(store) -> int:
    with store.engine.connect() as connection:
        used = connection.execute(select(refresh_tokens.c.used_at)).scalars().all()
    return sum(1 for at in used if at is not None)


def test_an_expired_access_token_is_renewed_and_the_cookie_keeps_the_new_pair(shop):
    app, clock, store = shop
    with TestClient(app) as api:
        cookie = signed_in(api)
        before = SessionSigner(SECRET).load(cookie)
        clock.advance(timedelta(seconds=TTL_S + 1))
        answer = api.get("/shop/orders", headers=carrying(cookie), follow_redirects=False)
        assert answer.status_code == 200, answer.headers.get("location")
        renewed = session_of(answer)
        assert renewed.user_id == before.user_id and renewed.session_id == before.session_id
        assert renewed.token != before.token
        assert renewed.refresh_token not in (None, before.refresh_token)
        assert spent_refresh_tokens(store) == 1
        # The renewed cookie works on; the spent one is not spent again.
        again = api.get("/shop/orders", headers=carrying(api.cookies[COOKIE]))
        assert again.status_code == 200 and spent_refresh_tokens(store) == 1


def test_two_tabs_renewing_at_once_spend_the_refresh_token_once(shop):
    app, clock, store = shop
    with TestClient(app) as api:
        cookie = signed_in(api)
    clock.advance(timedelta(seconds=TTL_S + 1))

    async def two_tabs() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://shop") as browser:
            pages = ("/shop/orders", "/shop/cart")
            return await asyncio.gather(
                *(browser.get(page, headers=carrying(cookie)) for page in pages)
            )

    with TestClient(app):  # the app's lifespan: the store stays open
        answers = asyncio.run(two_tabs())
        assert [answer.status_code for answer in answers] == [200, 200]
        first, second = (session_of(answer) for answer in answers)
        assert first.refresh_token == second.refresh_token is not None
        assert spent_refresh_tokens(store) == 1
        # Had the gateway seen the spent token again, it would have revoked every token.
        with TestClient(app) as api:
            later = api.get("/shop/orders", headers=carrying(SessionSigner(SECRET).dump(first)))
            assert later.status_code == 200


def test_a_refused_refresh_token_leads_back_to_sign_in(shop):
    app, clock, _ = shop
    with TestClient(app) as api:
        cookie = signed_in(api)
        clock.advance(timedelta(days=15))  # past the refresh token's 14 days too
        answer = api.get("/shop/orders", headers=carrying(cookie), follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/shop/sign-in?next=/shop/orders"


def test_a_page_view_that_renews_the_token_puts_the_new_pair_in_the_page_s_cookie(shop):
    """The sign-in page calls the API for nothing: its page view is the first to find the access
    token expired, and the page is not sent before the cookie holds what the renewal gave."""
    app, clock, store = shop
    with TestClient(app, headers={"user-agent": "Mozilla/5.0 Chrome/131.0"}) as api:
        cookie = signed_in(api)
        clock.advance(timedelta(seconds=TTL_S + 1))
        answer = api.get("/shop/sign-in", headers=carrying(cookie))
        assert answer.status_code == 200
        assert answer.headers.get_list("set-cookie")[0].startswith(f"{COOKIE}=")
        assert len(answer.headers.get_list("set-cookie")) == 1
        renewed = session_of(answer)
        assert renewed.refresh_token not in (None, SessionSigner(SECRET).load(cookie).refresh_token)
        assert spent_refresh_tokens(store) == 1
        with store.engine.connect() as connection:
            (viewed,) = connection.execute(
                select(outbox.c.payload).where(outbox.c.type == events.PAGE_VIEWED)
            ).scalars()
        assert json.loads(viewed)["customer_id"] == renewed.user_id
