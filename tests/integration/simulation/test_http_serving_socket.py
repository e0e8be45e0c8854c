"""The HTTP serving client over a real socket: one kept-alive connection for many requests, a 503
retried on it, and a closed port reported as serving unreachable."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from simulation.errors import SimulationError, SimulationErrorCode
from simulation.http_serving import HttpServingClient


class _Serving(BaseHTTPRequestHandler):
    """Answers like serving's /recommendations; the first request gets a 503 (a model swap)."""

    protocol_version = "HTTP/1.1"  # keep-alive
    seen: list[tuple[int, str]] = []

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        type(self).seen.append((self.client_address[1], self.path))
        status = 503 if len(self.seen) == 1 else 200
        body = json.dumps({"recommender": "7", "strategy": "sasrec", "items": []}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def serving_url() -> Iterator[str]:
    _Serving.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Serving)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_one_connection_carries_the_requests_and_a_503_is_retried(serving_url: str) -> None:
    with HttpServingClient(serving_url, backoff_s=0.01) as client:
        answers = [client.feed("c-000001", 10) for _ in range(3)]
    assert [a["recommender"] for a in answers] == ["7", "7", "7"]
    assert len(_Serving.seen) == 4  # the 503, then three answers
    assert len({port for port, _ in _Serving.seen}) == 1  # kept alive, also over the 503
    assert _Serving.seen[0][1] == "/recommendations/c-000001?k=10"


def test_a_closed_port_is_serving_unreachable() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = HttpServingClient(f"http://127.0.0.1:{port}", retries=2, backoff_s=0.01)
    with pytest.raises(SimulationError) as raised:
        client.search("lamp", None)
    assert raised.value.code == SimulationErrorCode.SERVING_UNREACHABLE
    assert "3 tries" in raised.value.message
