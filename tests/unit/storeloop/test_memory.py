"""Freed memory reused: a loop that allocates and frees 48 MB arrays, as a training step does,
faults their pages in once, not once per round (each in a fresh interpreter: the setting is
process-wide)."""

import subprocess
import sys

LOOP = """
import resource, sys
import numpy as np
if sys.argv[1] == "reuse":
    from storeloop.memory import reuse_freed_memory
    assert reuse_freed_memory()
np.ones(6_000_000) * 2  # the first round faults its pages in either way
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(40):
    logits = np.ones(6_000_000)
    grad = logits * 2
    del logits
    grad += 1
    del grad
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


def page_faults(mode: str) -> int:
    done = subprocess.run([sys.executable, "-c", LOOP, mode], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return int(done.stdout)


def test_a_large_array_freed_and_allocated_again_reuses_its_pages():
    plain, reused = page_faults("plain"), page_faults("reuse")
    # 48 MB is 11,700 pages of 4 KiB; how many fault in again each round varies with the machine's
    # load (19,000 to 49,000 in 20 rounds here), none of them once freed memory is kept.
    assert plain > 10_000
    assert reused < plain / 10
