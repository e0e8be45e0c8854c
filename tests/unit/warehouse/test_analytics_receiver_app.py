"""The sandbox analytics service's rules, in-process (no socket), with its real SQLite store."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient

from storeloop.settings import Settings
from warehouse.analytics_receiver import Faults, create_receiver_app
from warehouse.batches import split_into_batches
from warehouse.signing import SIGNATURE_HEADER, sign

DAY = date(2026, 1, 1)


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(data_dir=tmp_path)


def post(client: TestClient, body: bytes, secret: str | None):
    headers = {SIGNATURE_HEADER: sign(body, secret)} if secret else {}
    return client.post("/v1/batches", content=body, headers=headers)


def one_batch(count: int = 3, dataset: str = "fct_orders"):
    rows = [{"order_id": f"o-{n}"} for n in range(count)]
    return split_into_batches(dataset, DAY, rows)[0]


def test_a_missing_or_wrong_signature_is_rejected_and_nothing_is_stored(settings):
    client = TestClient(create_receiver_app(settings))
    body = one_batch().body()

    assert post(client, body, None).status_code == 401
    assert post(client, body, "not-the-secret").status_code == 401
    tampered = client.post(
        "/v1/batches",
        content=body.replace(b"o-1", b"o-7"),
        headers={SIGNATURE_HEADER: sign(body, settings.analytics_secret)},
    )
    assert tampered.status_code == 401
    stats = client.get("/v1/stats").json()
    assert stats["batches"] == 0 and stats["rows"] == {}
    assert stats["rejected_signatures"] == 3


def test_a_duplicate_batch_is_acknowledged_but_counted_once(settings):
    client = TestClient(create_receiver_app(settings))
    body = one_batch(3).body()

    first = post(client, body, settings.analytics_secret)
    second = post(client, body, settings.analytics_secret)

    assert (first.status_code, first.json()["duplicate"]) == (201, False)
    assert (second.status_code, second.json()["duplicate"]) == (200, True)
    assert client.get("/v1/stats").json()["rows"] == {"fct_orders": 3}


def test_a_reused_batch_id_with_other_content_is_a_conflict(settings):
    client = TestClient(create_receiver_app(settings))
    batch = one_batch(3)
    assert post(client, batch.body(), settings.analytics_secret).status_code == 201
    forged = batch.body().replace(b'"o-0"', b'"o-9"')

    response = post(client, forged, settings.analytics_secret)

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "batch_id_conflict"


def test_a_signed_but_malformed_batch_is_unprocessable(settings):
    client = TestClient(create_receiver_app(settings))
    response = post(client, b'{"batch_id": "x"}', settings.analytics_secret)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_batch"


def test_injected_failures_answer_503_and_some_still_store_the_batch(settings):
    client = TestClient(create_receiver_app(settings, Faults(failure_rate=1.0, seed=1)))
    bodies = [one_batch(2, dataset=f"set{n}").body() for n in range(20)]

    statuses = {post(client, body, settings.analytics_secret).status_code for body in bodies}

    stats = client.get("/v1/stats").json()
    assert statuses == {503}
    assert stats["injected_failures"] == 20
    # the "ack lost" half stored its batch although the client was told to retry
    assert 0 < stats["batches"] < 20


def test_what_was_received_survives_a_restart(settings):
    post(TestClient(create_receiver_app(settings)), one_batch(4).body(), settings.analytics_secret)
    restarted = TestClient(create_receiver_app(settings))
    assert restarted.get("/v1/stats").json()["rows"] == {"fct_orders": 4}
