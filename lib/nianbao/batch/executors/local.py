"""The local executor: worker processes on this machine, each forking its reports' kernels.

A worker that dies (kill -9, the out-of-memory killer) breaks Python's process pool: every
report still queued or running fails with BrokenProcessPool. The reports it held were begun
(their staging folders are there, folder.was_begun) and are given one more try in a new pool;
a report that was being made when a pool broke twice fails with the reason. Reports not yet
begun simply run in the new pool.
"""
from __future__ import annotations

import multiprocessing
import multiprocessing.synchronize
import os
import signal
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from ... import kernels, limits
from ...pages import html
from .. import folder as outputs
from .. import pipeline
from .common import Options, collect

# A worker process makes this many reports, then a new one takes its place, with a new fork
# server and typesetter: what the libraries keep from report to report stays bounded however
# long the batch (WeasyPrint, the PDF's renderer before Typst, kept 70 KB a PDF; a worker that
# lived through 1000 reports had grown by 24 MiB). ProcessPoolExecutor's own max_tasks_per_child
# deadlocks on Python 3.11 when reports are queued ahead of the workers (python/cpython#115634),
# so the pool is made anew instead.
REPORTS_PER_WORKER = 200
WORKER_DIED = "生成这份报告时有工作进程意外终止（可能因内存不足被系统终止）"
NO_WORKER = "工作进程无法启动，没有生成任何报告（请检查 nianbao 的安装和系统资源）"


def default_workers() -> int:
    """One worker more than cores: a report still waits a little for its kernel (the start-up
    handshake, the shutdown) and its typesetter, which another worker's report fills. Measured
    on 2 cores, 200 synthetic agencies: 148 reports/min with 2 workers (peak 823 MiB), 155 with
    3 (1170 MiB)."""
    return (os.cpu_count() or 1) + 1


class LocalExecutor:
    def __init__(self, options: Options):
        self.options = options

    def run(self, jobs: list, out: Path, done) -> None:
        # The pool hands a worker its next report before the current one ends, so a report may
        # be on its way and no longer cancellable: `stopping` tells the worker not to begin it.
        stopping = multiprocessing.Event()
        html.prepare()  # the report's templates compiled here once: the workers forked from this process have them
        workers = min(self.options.workers or default_workers(), len(jobs))
        tries: dict[str, int] = {}
        todo = list(jobs)
        while todo and not stopping.is_set():
            share, todo = todo[:workers * REPORTS_PER_WORKER], todo[workers * REPORTS_PER_WORKER:]
            lost = self._pool(share, out, workers, stopping, tries, done)
            if len(lost) == len(share) and not any(job.folder and outputs.was_begun(out / job.folder) for job in lost):
                # the pool broke before any report began: its workers cannot start, and a new
                # pool would not either
                for job in [*lost, *todo]:
                    done(outputs.finish(out / job.folder, job.outcome(reason=NO_WORKER)))
                return
            todo = [job for job in lost if self._again(job, out, tries, done)] + todo

    def _pool(self, jobs, out: Path, workers: int, stopping, tries, done) -> list:
        """Run jobs in one pool; the jobs it lost when a worker died."""
        lost = []

        def outcome_of(future, job):
            try:
                outcome = future.result()
            except BrokenProcessPool:
                lost.append(job)
                return None
            if outcome is not None and tries.get(job.params_file):
                outcome.note(f"{WORKER_DIED}，已重试一次")
            return outcome

        options = self.options
        with ProcessPoolExecutor(max_workers=workers, initializer=_start_worker,
                                 initargs=(stopping, os.getpid())) as pool:
            futures = {pool.submit(_run_unless_stopped, job, out.resolve(), options.root.resolve(),
                                   options.timeout): job for job in jobs}
            collect(futures, as_completed, outcome_of, done, stop=stopping.set)
        return lost

    @staticmethod
    def _again(job, out: Path, tries: dict, done) -> bool:
        """Whether a lost job runs again: one not begun does, one begun has two tries."""
        if not (job.folder and outputs.was_begun(out / job.folder)):
            return True
        tries[job.params_file] = tries.get(job.params_file, 0) + 1
        if tries[job.params_file] < 2:
            return True
        done(outputs.finish(out / job.folder, job.outcome(reason=f"{WORKER_DIED}，重试后再次终止")))
        return False


# In a worker process of the batch: set when Ctrl-C has stopped it (see LocalExecutor.run).
_stopping: multiprocessing.synchronize.Event | None = None


def _start_worker(stopping: multiprocessing.synchronize.Event, batch: int) -> None:
    global _stopping
    _stopping = stopping
    limits.die_with_parent(batch)
    # It draws reports from untrusted records; its kernels, fork server and typesetter inherit
    # the bound too (each process its own), also a kernel started as a new interpreter.
    limits.bound_memory()
    # Ctrl-C is the batch's to handle (collect): a worker finishes the report it has begun.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    kernels.use_forked_kernels()


def _run_unless_stopped(job, out: Path, root: Path, timeout: int):
    return None if _stopping.is_set() else pipeline.run_one(job, out, root, timeout)
