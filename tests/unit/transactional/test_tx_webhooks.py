"""Payment webhooks over HTTP: signature and freshness checked before anything is written, each
event applied once, and late, doubled or reordered deliveries never move an order backwards."""

from __future__ import annotations

import json
from collections import Counter
from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import text

from storeloop.settings import Settings
from transactional.gateway.app import create_app
from transactional.payments.sandbox import APPROVE_CARD, WEBHOOK_SECRET
from transactional.payments.webhooks import SIGNATURE_HEADER, sign

CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


class Interrupted(Exception):
    pass


@pytest.fixture
def api(store, tmp_path):
    settings = Settings(data_dir=tmp_path, database_url="sqlite://", serving_port=9)
    with TestClient(create_app(settings, store=store, hasher=CHEAP_HASHER)) as client:
        yield client


def post_to(api, path: str, outcomes: Counter):
    def send(body: bytes, headers: dict[str, str]) -> None:
        answer = api.post(path, content=body, headers=headers)
        assert answer.status_code == 200, answer.text
        outcomes[answer.json()["outcome"]] += 1

    return send


def rows(store, table: str) -> int:
    with store.engine.connect() as connection:
        return connection.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one()


def paid_order(store, customer, make_product) -> str:
    store.cart.add_item(customer, make_product(stock=5, price="12.00"), 1)
    return store.orders.checkout(customer, APPROVE_CARD).order_id


def test_forged_unsigned_and_stale_webhooks_change_nothing(api, store, clock):
    body = json.dumps({"id": "evt_1", "type": "payment.captured", "data": {}}).encode()
    now = int(clock.now().timestamp())
    cases = [
        ({}, 401, "webhook_unsigned"),
        ({SIGNATURE_HEADER: sign("not-the-secret", now, body)}, 401, "webhook_bad_signature"),
        ({SIGNATURE_HEADER: f"t={now},v1=00"}, 401, "webhook_bad_signature"),
        ({SIGNATURE_HEADER: "garbage"}, 401, "webhook_bad_signature"),
        ({SIGNATURE_HEADER: sign(WEBHOOK_SECRET, now - 301, body)}, 400, "webhook_too_old"),
    ]
    outbox_before = rows(store, "outbox")
    for headers, status, code in cases:
        answer = api.post("/api/webhooks/payments", content=body, headers=headers)
        assert (answer.status_code, answer.json()["error"]["code"]) == (status, code)
    stamped = {SIGNATURE_HEADER: sign(WEBHOOK_SECRET, now, b"{not json")}
    answer = api.post("/api/webhooks/payments", content=b"{not json", headers=stamped)
    assert (answer.status_code, answer.json()["error"]["code"]) == (400, "webhook_malformed")
    assert rows(store, "webhook_receipts") == 0 and rows(store, "outbox") == outbox_before


def test_redelivered_and_reordered_events_never_move_an_order_back(
    api, store, customer, make_product, clock
):
    order_id = paid_order(store, customer, make_product)
    store.orders.refund(order_id)
    outbox_after_refund = rows(store, "outbox")
    outcomes: Counter = Counter()
    send = post_to(api, "/api/webhooks/payments", outcomes)
    queue = store.payment_gateway.webhooks
    while queue.pending:
        queue.deliver(send, clock.now())
        clock.advance(timedelta(seconds=30))
    # authorized, captured, refunded: each applied once however often it arrived.
    assert outcomes["applied"] == 3 and outcomes["duplicate"] >= 1
    assert store.orders.get(order_id).status == "refunded"
    assert rows(store, "outbox") == outbox_after_refund
    assert rows(store, "webhook_receipts") == 3


def test_a_webhook_finishes_a_checkout_whose_process_died(
    api, store, customer, make_product, clock
):
    store.cart.add_item(customer, make_product(stock=1), 1)

    def die_after_authorizing(step: str) -> None:
        if step == "authorized":
            raise Interrupted(step)

    store.orders.saga.crash_hook = die_after_authorizing
    with pytest.raises(Interrupted):
        store.orders.checkout(customer, APPROVE_CARD)
    store.orders.saga.crash_hook = lambda _step: None
    outcomes: Counter = Counter()
    store.payment_gateway.webhooks.deliver(
        post_to(api, "/api/webhooks/payments", outcomes), clock.now(), flush=True
    )
    (order,) = store.orders.history(customer)
    assert order.status == "paid" and len(store.payment_gateway.captures) == 1
    assert outcomes["applied"] == 1


def test_delivery_queue_is_seeded_late_doubled_and_shuffled(clock):
    from transactional.payments.webhooks import DeliveryQueue, verify

    def run(seed: int) -> list[list[str]]:
        queue = DeliveryQueue("s3cret", seed=seed)
        for n in range(20):
            queue.publish("payment.captured", {"reference": f"pi_{n}"}, clock.now())
        rounds: list[list[str]] = []

        def receive(body: bytes, headers: dict[str, str]) -> None:
            event = verify("s3cret", headers[SIGNATURE_HEADER], body, clock.now())
            rounds[-1].append(event["data"]["reference"])

        while queue.pending:
            rounds.append([])
            queue.deliver(receive, clock.now())
        return rounds

    rounds = run(seed=3)
    assert rounds == run(seed=3) and rounds != run(seed=4)
    delivered = [ref for batch in rounds for ref in batch]
    assert set(delivered) == {f"pi_{n}" for n in range(20)}
    assert len(rounds) > 1  # some came late
    assert len(delivered) > 20  # some came twice
    assert rounds[0] != sorted(rounds[0])  # and out of order
