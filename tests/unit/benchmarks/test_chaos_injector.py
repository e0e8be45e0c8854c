"""The chaos run's injector: a fault that needs a live victim waits for one, and its recovery is
timed from the injection; with no victim before its timeout it is reported as not injected."""

import time

from benchmarks.chaos import Injector
from benchmarks.chaos_faults import Fault


def test_a_fault_waits_for_its_victim_and_is_timed_from_the_kill():
    back_at = time.monotonic() + 0.4  # the victim of an earlier fault, still coming back
    killed: list[float] = []

    def kill():  # type: ignore[no-untyped-def]
        killed.append(time.monotonic())
        return lambda: time.monotonic() >= killed[0] + 0.2

    fault = Fault("replica", kill, timeout_s=5, ready=lambda: time.monotonic() >= back_at)
    injector = Injector([(0.0, fault)])
    injector.start()
    injector.finish()
    [result] = injector.results
    assert killed and killed[0] >= back_at
    assert result["waited_for_victim_s"] >= 0.35
    assert 0.2 <= result["recovered_s"] < 0.35, result


def test_a_fault_with_no_victim_in_time_is_reported_and_not_injected():
    injected: list[bool] = []
    fault = Fault(
        "replica",
        lambda: injected.append(True) or (lambda: True),  # type: ignore[func-returns-value]
        timeout_s=0.3,
        ready=lambda: False,
    )
    injector = Injector([(0.0, fault)])
    injector.start()
    injector.finish()
    [result] = injector.results
    assert not injected
    assert result["recovered_s"] is None and "no live victim" in result["error"]
