import threading

import launch.follow as follow_module
from launch.follow import follow


class Flaky:
    """Fails its first run (the database restarting), then applies 2 events a run."""

    opened = 0
    closed = 0

    def __init__(self, _settings) -> None:
        Flaky.opened += 1
        self.runs = 0

    def run_once(self) -> int:
        self.runs += 1
        if Flaky.opened == 1:
            raise ConnectionError("database restarting")
        if self.runs == 3:
            stop.set()
        return 2

    def close(self) -> None:
        Flaky.closed += 1


stop = threading.Event()


def test_a_failed_run_reopens_the_consumer_and_carries_on(monkeypatch, settings):
    monkeypatch.setitem(follow_module.CONSUMERS, "flaky", Flaky)
    monkeypatch.setattr(follow_module, "RETRY_S", 0.0)
    applied = follow("flaky", settings, stop, interval_s=0.0)
    assert applied == 6  # three good runs of the second consumer
    assert Flaky.opened == 2 and Flaky.closed == 2  # the failed one and the last one closed
