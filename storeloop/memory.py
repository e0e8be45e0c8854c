"""glibc's malloc told to keep freed memory for the next allocation instead of returning it."""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import sys

M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # mallopt's parameter numbers (malloc.h)
KEPT_BYTES = 1 << 30


@functools.cache
def reuse_freed_memory() -> bool:
    """Training allocates and frees tensors of tens of megabytes every step (a softmax over the
    whole catalog and its gradient). glibc serves each from a fresh mmap and unmaps it on free,
    so every step faults all its pages in again: on 2 cores a third of the recommender's training
    CPU went to the kernel. With both thresholds raised, freed blocks stay in the heap for the next
    step (the process keeps up to 1 GiB it no longer uses). Process-wide and once; True where it
    took effect (glibc on Linux), False elsewhere, where nothing changes."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return False
    mallopt = getattr(libc, "mallopt", None)
    if mallopt is None:
        return False
    return all(mallopt(option, KEPT_BYTES) == 1 for option in (M_MMAP_THRESHOLD, M_TRIM_THRESHOLD))
