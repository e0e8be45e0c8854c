"""No oversell over HTTP: 200 buyers, each with its own token, race a real uvicorn gateway on
PostgreSQL for 10 units; exactly 10 orders are paid and nothing answers 5xx."""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import httpx
import pytest
from sqlalchemy import text

from contracts import events
from storeloop.settings import Settings
from tests.integration.transactional.served import served
from tests.unit.transactional.test_tx_api import CHEAP_HASHER
from transactional.gateway.app import create_app
from transactional.payments.sandbox import APPROVE_CARD

BUYERS = 200
UNITS = 10

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


@pytest.fixture
def gateway_url(pg_store, tmp_path) -> Iterator[str]:
    """The gateway app in a real uvicorn server on a free port, in this process (a thread)."""
    config = Settings(
        data_dir=tmp_path,
        rate_limit_capacity=10**6,
        rate_limit_refill_per_s=1e6,
        login_attempts_per_minute=10**6,  # 200 buyers sign in from this one address
        serving_port=9,
    )
    app = create_app(config, pg_store, hasher=CHEAP_HASHER)
    with served(app) as port:
        yield f"http://127.0.0.1:{port}"


def test_200_buyers_race_over_http_for_10_units(pg_store, gateway_url):
    store = pg_store
    seller = store.users.register("Hot Seller", "hot@example.com", "seller")
    product_id = store.catalog.create_product(
        seller, "Hot item", "", "", "", Decimal("9.99"), initial_stock=UNITS
    )
    with httpx.Client(base_url=gateway_url, timeout=60) as client:
        tokens = [sign_up_and_fill_cart(client, n, product_id) for n in range(BUYERS)]
    start = threading.Barrier(BUYERS)

    def buy(token: str) -> tuple[int, str]:
        with httpx.Client(base_url=gateway_url, timeout=60) as client:
            start.wait()  # every buyer checks out at the same moment
            answer = client.post(
                "/api/orders",
                json={"card_number": APPROVE_CARD},
                headers={"Authorization": f"Bearer {token}", "Idempotency-Key": uuid.uuid4().hex},
            )
        body = answer.json()
        return answer.status_code, body.get("status") or body["error"]["code"]

    with ThreadPoolExecutor(max_workers=BUYERS) as pool:
        outcomes = Counter(pool.map(buy, tokens))

    assert outcomes == {(201, "paid"): UNITS, (409, "out_of_stock"): BUYERS - UNITS}, outcomes
    assert store.inventory.stock_level(product_id) == 0
    with store.engine.connect() as connection:
        placed = connection.execute(
            text("SELECT COUNT(*) FROM outbox WHERE type = :t"), {"t": events.ORDER_PLACED}
        ).scalar_one()
        paid = connection.execute(
            text("SELECT COUNT(*) FROM orders WHERE status = 'paid'")
        ).scalar_one()
    assert (placed, paid) == (UNITS, UNITS)


def sign_up_and_fill_cart(client: httpx.Client, n: int, product_id: str) -> str:
    email = f"buyer{n}@example.com"
    password = "correct horse battery"
    registered = client.post(
        "/api/auth/register", json={"name": f"B{n}", "email": email, "password": password}
    )
    assert registered.status_code == 201, registered.text
    token = client.post("/api/auth/login", json={"email": email, "password": password}).json()[
        "access_token"
    ]
    added = client.post(
        "/api/cart/items",
        json={"product_id": product_id},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert added.status_code == 201, added.text
    return token
