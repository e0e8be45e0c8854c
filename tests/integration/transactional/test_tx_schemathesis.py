"""A bounded schemathesis run against the gateway's own OpenAPI schema, in-process (ASGI): no 5xx,
and every status code, header and body matches what the schema documents, errors included."""

from __future__ import annotations

from decimal import Decimal

import pytest
import schemathesis
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from storeloop.settings import Settings
from transactional.bootstrap import bootstrap
from transactional.gateway.app import create_app

CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
PASSWORD = "correct horse battery"
# Per operation and mode: bounded so the whole run stays well under a minute.
MAX_EXAMPLES = 10
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,  # a request the schema forbids must get a 4xx, never a 2xx
]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def gateway(tmp_path_factory):
    """SQLite in a temporary directory, a small catalog, one customer; limits out of the way."""
    data_dir = tmp_path_factory.mktemp("schemathesis")
    config = Settings(
        data_dir=data_dir, serving_port=9, rate_limit_capacity=10**6, rate_limit_refill_per_s=1e6
    )
    store = bootstrap(config)
    seller = store.users.register("Sal", "sal@example.com", "seller")
    for n in range(5):
        store.catalog.create_product(
            seller, f"Lamp {n}", "", "Lux", "lighting", Decimal("9.99"), initial_stock=50
        )
    app = create_app(config, store, hasher=CHEAP_HASHER)
    with TestClient(app) as client:
        client.post(
            "/api/auth/register",
            json={"name": "Cy", "email": "cy@example.com", "password": PASSWORD},
        )
        login = client.post(
            "/api/auth/login", json={"email": "cy@example.com", "password": PASSWORD}
        )
        yield app, login.json()["access_token"]
    store.close()


def operations(app):
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    # Serving is another service (tested with it); logout would revoke the token mid-run.
    schema = schema.exclude(path_regex=r"^/api/(search|recommendations)").exclude(
        method="POST", path="/api/auth/logout"
    )
    return [result.ok() for result in schema.get_all_operations()]


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_every_route_answers_as_documented(gateway, mode):
    """(Schemathesis's lazy pytest loader does not run on this pytest, so the operations are
    walked here, each with its own bounded, derandomized Hypothesis run.)"""
    app, token = gateway
    problems: dict[str, str] = {}
    for operation in operations(app):

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=MAX_EXAMPLES,
            derandomize=True,  # the same examples on every run: a failure replays
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def answers_as_documented(case) -> None:
            # Always the real token: a generated one is just a 401 (forged tokens have their
            # own tests), and the protected routes would never run.
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {token}"}
            case.call_and_validate(checks=CHECKS)

        try:
            answers_as_documented()
        except Unsatisfiable:
            # Nothing in this operation's schema can be broken (e.g. a free-form string path
            # parameter and no body): there are no negative cases to send.
            assert mode == GenerationMode.NEGATIVE, operation.label
        except Exception as failure:  # noqa: BLE001 - every operation's failure is reported
            problems[operation.label] = str(failure)[:2000]
    assert not problems, "\n\n".join(f"{label}:\n{text}" for label, text in problems.items())
