"""Signed in past the access token's lifetime, in Chromium: a gateway of its own whose access
tokens last two seconds (STORE_ACCESS_TOKEN_TTL_S). The shopper stays signed in across the
expiry, and two tabs loading at the same moment with the same expired cookie renew it once (the
gateway would sign the shopper out everywhere had it seen the spent refresh token twice)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from launch.gateway_server import platform_gateway
from storeloop.settings import Settings
from tests.integration.storefront.conftest import PASSWORD
from tests.integration.transactional.served import free_port, served
from transactional.users.repository import refresh_tokens

TTL_S = 2


@pytest.fixture(scope="module")
def short_lived(tmp_path_factory) -> Iterator[tuple[str, object]]:
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("short-lived"),
        serving_port=free_port(),  # nothing there: these pages do without search
        access_token_ttl_s=TTL_S,
    )
    settings.ensure_dirs()
    gateway = platform_gateway(settings)
    try:
        with served(gateway) as port:
            yield f"http://127.0.0.1:{port}", gateway.state.store
    finally:
        gateway.state.store.close()


def spent_refresh_tokens(store) -> int:
    with store.engine.connect() as connection:
        used = connection.execute(select(refresh_tokens.c.used_at)).scalars().all()
    return sum(1 for at in used if at is not None)


def test_a_shopper_stays_signed_in_past_the_access_token_in_two_tabs_at_once(browser, short_lived):
    url, store = short_lived
    context = browser.new_context(base_url=url)
    context.set_default_timeout(10_000)
    tab = context.new_page()
    tab.goto("/shop/sign-up?next=/shop/orders")
    tab.get_by_label("Name").fill("Tess Tabs")
    tab.get_by_label("Email").fill("tess@example.com")
    tab.get_by_label("Password").fill(PASSWORD)
    tab.get_by_role("button", name="Sign up").click()
    assert tab.url.endswith("/shop/orders")

    time.sleep(TTL_S + 1.5)
    tab.goto("/shop/orders")
    assert tab.url == f"{url}/shop/orders"  # not the sign-in page
    assert spent_refresh_tokens(store) == 1

    other = context.new_page()
    other.goto("/shop/cart")
    time.sleep(TTL_S + 1.5)
    for page in (tab, other):  # both requests leave before either answer comes back
        page.evaluate(f"location.assign('{url}/shop/orders')")
    for page in (tab, other):
        page.wait_for_load_state()
        page.wait_for_url(f"{url}/shop/orders")  # the page itself, not sign-in?next=...
    assert spent_refresh_tokens(store) == 2
    tab.goto("/shop/orders")
    assert tab.url.endswith("/shop/orders")
    assert tab.get_by_role("button", name="Sign out").is_visible()
    context.close()
