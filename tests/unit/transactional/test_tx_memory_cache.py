"""The in-process cache on a hand-moved clock: expiry without sleeping, and the sweep."""

from __future__ import annotations

from transactional.common.cache import memory
from transactional.common.cache.memory import MemoryCache


class Ticker:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_expiry_follows_the_clock():
    clock = Ticker()
    cache = MemoryCache(now=clock)
    cache.set("k", "v", ttl=10)
    clock.now += 9.9
    assert cache.get("k") == "v"
    clock.now += 0.1
    assert cache.get("k") is None


def test_expired_keys_nobody_reads_are_swept(monkeypatch):
    monkeypatch.setattr(memory, "SWEEP_AT", 100)
    clock = Ticker()
    cache = MemoryCache(now=clock)
    for n in range(99):
        cache.set(f"old-{n}", "v", ttl=1)
    clock.now += 2
    cache.set("new", "v")  # the 100th entry triggers the sweep
    assert len(cache._values) == 1 and cache.get("new") == "v"
