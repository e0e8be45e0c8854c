"""A seller who delists a product still on an order under way sees why on the listings page, next
to the listings, and the product stays listed; once no order holds it, it goes."""

from __future__ import annotations

from decimal import Decimal

from fastapi.testclient import TestClient

from storefront.app import MOUNT, create_storefront
from storefront.session import COOKIE, Session, SessionSigner
from storeloop.settings import Settings
from tests.unit.transactional.test_tx_api import CHEAP_HASHER
from transactional.gateway.app import create_app
from transactional.payments.sandbox import APPROVE_CARD

SECRET = "a secret for tests"
PASSWORD = "a long passphrase for tests"
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0 Safari/537.36"


def seller_session(api: TestClient) -> Session:
    account = {"email": "sam@example.com", "password": PASSWORD}
    api.post("/api/auth/register", json={"name": "Sam", "role": "seller", **account})
    tokens = api.post("/api/auth/login", json=account).json()
    session = Session()
    session.sign_in(
        tokens["access_token"], tokens["refresh_token"], tokens["user_id"], "seller", "Sam"
    )
    return session


def test_delisting_a_product_on_an_order_under_way_says_why_and_keeps_it(tmp_path):
    settings = Settings(data_dir=tmp_path, database_url="sqlite://", serving_port=9)
    app = create_app(settings, hasher=CHEAP_HASHER)
    app.mount(MOUNT, create_storefront(app, SECRET))
    with TestClient(app, headers={"user-agent": BROWSER}) as browser:
        store = app.state.store
        session = seller_session(browser)
        lamp = store.catalog.create_product(
            session.user_id, "Desk lamp", "", "Acme", "Lighting", Decimal("12"), initial_stock=3
        )
        shopper = store.users.register("Ada", "ada@example.com")
        store.cart.add_item(shopper, lamp, 1)
        order = store.orders.checkout(shopper, APPROVE_CARD)
        cookie = {"cookie": f"{COOKIE}={SessionSigner(SECRET).dump(session)}"}

        refused = browser.post(
            f"/shop/seller/products/{lamp}/delete", data={"csrf": session.csrf},
            headers=cookie, follow_redirects=False,
        )  # fmt: skip
        assert refused.status_code == 409
        assert 'role="alert"' in refused.text and order.order_id in refused.text
        assert store.catalog.get_product(lamp).product_id == lamp

        for move in (store.orders.mark_fulfilled, store.orders.mark_shipped,
                     store.orders.mark_delivered):  # fmt: skip
            move(order.order_id)
        delisted = browser.post(
            f"/shop/seller/products/{lamp}/delete", data={"csrf": session.csrf},
            headers=cookie, follow_redirects=False,
        )  # fmt: skip
        assert delisted.status_code == 303
        assert browser.get(f"/api/products/{lamp}").status_code == 404
