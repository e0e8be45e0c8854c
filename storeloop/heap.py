"""The garbage collector's full passes and a long-lived heap. A full pass walks every tracked
object and stops its process meanwhile: here the gateway's start-up heap (147k objects) took 70-82
ms, and a benchmark's client (255k) 140-170 ms, which stalled all 8 of its client threads at once
and alone made the search benchmark's p99 about 200 ms. What a process built to keep for life is
frozen out of those passes; Serve's replicas freeze theirs after start-up already."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


def freeze_startup_heap() -> None:
    """Once a server process has imported and built what it keeps: later passes see only what
    requests allocate. What is frozen is never collected, so call it once per process."""
    gc.collect()
    gc.freeze()


@contextmanager
def frozen_heap() -> Iterator[None]:
    """For a measured stretch: the measuring process's own heap out of its collector's passes,
    and back in after."""
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
