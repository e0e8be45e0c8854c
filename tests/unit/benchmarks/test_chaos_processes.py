"""The chaos run's process manager: each kill of a consumer is one restart, even when two faults
of the same consumer fall due together."""

import sys

from benchmarks.chaos_processes import Supervised, wait_for


def test_two_kills_due_together_are_two_restarts(tmp_path):
    idle = [sys.executable, "-c", "import time; time.sleep(600)"]
    consumer = Supervised("consumer", idle, {}, tmp_path).start()
    try:
        killed = []
        for _ in range(2):  # back to back, as the injector fires faults that are overdue
            consumer.wait_running()
            killed.append(consumer.kill())
        assert wait_for(lambda: consumer.restarts == 2, 10) is not None, consumer.restarts
        assert len(set(killed)) == 2
    finally:
        consumer.stop()
