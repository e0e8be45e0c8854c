"""The HTTP serving client against httpx's in-memory transport (no network in unit tests; a real
socket in tests/integration/simulation/test_http_serving.py): paths, retries, typed errors."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from simulation.errors import SimulationError, SimulationErrorCode
from simulation.http_serving import HttpServingClient

Answer = Callable[[httpx.Request], httpx.Response]


def _client(answer: Answer, sleeps: list[float]) -> HttpServingClient:
    return HttpServingClient(
        "http://serving.test/", transport=httpx.MockTransport(answer), sleep=sleeps.append
    )


def test_the_three_lists_are_asked_where_serving_answers_them() -> None:
    asked: list[tuple[str, dict[str, str]]] = []

    def answer(request: httpx.Request) -> httpx.Response:
        asked.append((request.url.path, dict(request.url.params)))
        return httpx.Response(200, json={"results": [], "items": [], "recommender": "7"})

    with _client(answer, []) as client:
        client.search("red shoes", "c-000001")
        client.search("red shoes", None)
        client.feed("c-000001", 10)
        client.similar("p-000042", "c-000001", 10)
    assert asked == [
        ("/search", {"q": "red shoes", "customer_id": "c-000001", "limit": "20"}),
        ("/search", {"q": "red shoes", "limit": "20"}),
        ("/recommendations/c-000001", {"k": "10"}),
        ("/recommendations/similar/p-000042", {"k": "10", "customer_id": "c-000001"}),
    ]


def test_a_model_swap_503_is_retried_with_backoff() -> None:
    statuses = iter([503, 502, 200])
    sleeps: list[float] = []

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(next(statuses), json={"recommender": "8", "items": []})

    assert _client(answer, sleeps).feed("c-000001", 10)["recommender"] == "8"
    assert sleeps == [0.25, 0.5]


def test_serving_that_stays_away_is_a_typed_error_after_the_retries() -> None:
    tries: list[str] = []
    sleeps: list[float] = []

    def answer(request: httpx.Request) -> httpx.Response:
        tries.append(request.url.path)
        raise httpx.ConnectError("connection refused", request=request)

    with pytest.raises(SimulationError) as raised:
        _client(answer, sleeps).search("lamp", "c-000001")
    assert raised.value.code == SimulationErrorCode.SERVING_UNREACHABLE
    assert "ConnectError" in raised.value.message and "5 tries" in raised.value.message
    assert len(tries) == 5 and sleeps == [0.25, 0.5, 1.0, 2.0]


def test_an_error_answer_is_not_retried_and_names_serving_code() -> None:
    tries: list[int] = []

    def answer(request: httpx.Request) -> httpx.Response:
        tries.append(1)
        body = {"error": {"code": "query_too_long", "message": "too long", "field": "q"}}
        return httpx.Response(400, json=body)

    with pytest.raises(SimulationError) as raised:
        _client(answer, []).search("x" * 2000, None)
    assert raised.value.code == SimulationErrorCode.SERVING_ERROR
    assert "HTTP 400 (query_too_long)" in raised.value.message and tries == [1]


def test_a_body_that_is_not_a_json_object_is_a_serving_error() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, text="<html>proxy</html>")

    with pytest.raises(SimulationError) as raised:
        _client(answer, []).feed("c-000001", 10)
    assert raised.value.code == SimulationErrorCode.SERVING_ERROR
