"""The chaos benchmark at a small scale: 8 shoppers for 50 s on a PostgreSQL server of the test's
own, while the lake writer, the search indexer, the query-log consumer and a gateway worker are
SIGKILLed and PostgreSQL is restarted (immediately, a crash), twice each at random moments. A new
seed each run, printed: `python -m benchmarks.chaos --seed N` with the arguments below replays it.
Without Ray Serve: its replica takes a minute to come back, so its kill is in `make bench-chaos`
at full scale; shoppers open products instead of searching.
"""

import socket

import pytest

from benchmarks.chaos import FOLLOWED, main

pytestmark = pytest.mark.postgres


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_nothing_is_lost_or_doubled_and_every_fault_recovers(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("STORE_DATA_DIR", str(tmp_path))  # where the report goes
    result = main([
        "--no-serve", "--clients", "8", "--seconds", "50", "--reference-seconds", "8",
        "--faults", "2", "--products", "40", "--port", str(free_port()),
        "--pg-port", str(free_port()),
    ])  # fmt: skip
    print(capsys.readouterr().out.splitlines()[0])  # the seed, for a replay
    failed = {name: check for name, check in result["checks"].items() if not check["ok"]}
    assert not failed, (failed, result["faults"])  # when each fault struck, beside what failed
    assert set(result["recovery"]) == {*FOLLOWED, "gateway_worker", "postgres"}
    recovery = result["recovery"]
    assert all(row["recovered"] == row["faults"] == 2 for row in recovery.values()), result[
        "faults"
    ]
    assert all(restarts >= 2 for restarts in result["consumer_restarts"].values())
    chaos = result["chaos"]
    assert chaos["paid_orders"] > 0 and chaos["hangs"] == 0 and chaos["server_errors"] == 0
    assert {
        "outbox_equals_bronze",
        "silver_matches_events",
        "search_index_is_live_catalog",
        "paid_orders_have_one_capture",
        "provider_captures_are_the_stores",
    } <= set(result["checks"])
    assert result["goal_met"]
