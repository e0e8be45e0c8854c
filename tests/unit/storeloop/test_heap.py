"""A measured stretch keeps the measuring process's heap out of the collector's passes, and
gives it back after, so its garbage is collected again."""

import gc
import weakref

from storeloop.heap import frozen_heap


class Node:
    def __init__(self) -> None:
        self.me = self  # a cycle: only the collector frees it


def test_the_heap_is_frozen_during_the_stretch_and_collected_again_after():
    before = gc.get_freeze_count()
    cycle = Node()
    gone = weakref.ref(cycle)
    with frozen_heap():
        assert gc.get_freeze_count() > before
        del cycle
        gc.collect()
        assert gone() is not None  # frozen: the pass did not see it
    assert gc.get_freeze_count() == before
    gc.collect()
    assert gone() is None
