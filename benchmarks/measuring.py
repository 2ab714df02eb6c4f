"""How the benchmarks measure a route: its memory sampled beside it, its time by its own end.

Memory is the PSS of every descendant of this process, each page shared between processes
divided among them: forked kernels and pool workers share most of their pages with the process
they were forked from, and adding up resident sizes would count those pages once per process.
It is sampled in a thread of its own, so that the work measured is timed by its own end (a
command's exit) and never by the next sample.
"""
from __future__ import annotations

import contextlib
import threading
import time

import psutil

# Reading PSS costs about 6 ms per process (the kernel walks its page tables): sampling a
# batch's dozen processes every 0.1 s took 40% of a core from the batch being measured.
INTERVAL = 0.5


def tree_mib() -> float:
    """The PSS of this process's descendants (the commands measured and theirs), in MiB."""
    total = 0
    for member in psutil.Process().children(recursive=True):
        try:
            total += member.memory_full_info().pss
        except psutil.Error:  # it ended between listing and reading, or is a zombie
            pass
    return total / 2**20


@contextlib.contextmanager
def sampled(done=lambda: 0):
    """While the block runs, sample the memory of this process's descendants every INTERVAL s:
    a list of (done(), MiB), `done` telling how far the work is."""
    samples, stop = [], threading.Event()

    def sample():
        while True:
            samples.append((done(), tree_mib()))
            if stop.wait(INTERVAL):
                return

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        yield samples
    finally:
        stop.set()
        sampler.join()


def seconds_of(work) -> float:
    """The seconds `work()` takes."""
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def quarters(samples: list[tuple[int, float]], total: int) -> list[float]:
    """The peak MiB over each quarter of `total` steps done (0 for a quarter no sample fell in):
    flat when memory does not grow with the work."""
    return [max((mib for done, mib in samples if q * total / 4 <= done < (q + 1) * total / 4), default=0)
            for q in range(4)]
