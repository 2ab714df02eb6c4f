"""The batch: every agency-year of params/ executed, checked and rendered, one failure at a time.

    jobs.py       params files → Job (a broken one fails its own agency-year only)
    cache.py      the fingerprint of a job's inputs: an unchanged report is skipped
    folder.py     the output folder's contract: file names, staging, commit, run.json
    pipeline.py   one report: execute the template (papermill), render HTML and PDF, store
    executors/    where jobs run: `local` worker processes, or a `dask` cluster
    kernels.py    kernels forked from a preloaded server (jupyter_client provisioner)
    engine.py     the papermill engine that writes the executed notebook once

`run` ties them together: it takes the output folder's lock (one batch at a time per folder),
skips what is unchanged, fails the jobs whose params files are broken, and hands the rest to
the executor chosen by name.
"""
from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path

from ..errors import NianbaoError
from . import cache, executors
from . import folder as outputs
from .executors import Interrupted, Options
from .executors.local import default_workers
from .folder import Outcome, load_outcomes
from .jobs import Job, discover

__all__ = ["Interrupted", "Job", "Locked", "Options", "Outcome", "default_workers", "discover",
           "load_outcomes", "run"]


class Locked(NianbaoError, RuntimeError):
    """Another batch is writing into the same output folder."""


def run(jobs: list[Job], out: Path, *, executor: str = "local", options: Options = Options(),
        force: bool = False, progress=None) -> list[Outcome]:
    """Run the jobs with the named executor; `progress(outcome)` is called as each one ends.

    A job whose inputs match its last good run is not run again unless `force` is set.
    Ctrl-C or SIGTERM cancels the reports not begun and raises Interrupted once those running
    have ended. Raises Locked when another batch holds the output folder, and OSError when the
    output folder cannot be written at all.
    """
    outcomes = []

    def done(outcome: Outcome) -> None:
        outcomes.append(outcome)
        if progress:
            progress(outcome)

    with lock(out):
        todo, damaged = [], set()
        for job in jobs:
            folder = out / job.folder if job.folder else None
            if job.problem:
                done(outputs.finish(folder, job.outcome(reason=job.problem)))
                continue
            state = folder / outputs.STATE
            last = outputs.read(state) if state.exists() else None
            if not force and cache.unchanged(folder, last, job.inputs):
                last.skipped, last.because = True, job.because
                done(last)
                continue
            if state.exists() and last is None:  # an unreadable run.json: made again, and said so
                damaged.add(job.params_file)
            todo.append(job)
        if todo:

            def noted(outcome: Outcome) -> None:
                if outcome.params_file in damaged:
                    outcome.note("上次的运行记录 run.json 已损坏，已重新生成")
                done(outcome)

            try:
                executors.registered()[executor](options).run(todo, out, noted)
            except Interrupted as stop:
                raise Interrupted(outcomes, stop.signum) from None
    return outcomes


@contextlib.contextmanager
def lock(out: Path):
    """Hold the output folder for one batch: a second batch on the same folder would delete the
    first one's staging folders (and the first its). The lock is the kernel's (flock), so it
    goes with the process however it ends; the file names the process that holds it."""
    out.mkdir(parents=True, exist_ok=True)
    with open(out / ".nianbao-run.lock", "a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            raise Locked(f"另一个 nianbao run（进程 {handle.read().strip() or '未知'}）正在写入输出目录 {out}，"
                         "请等它结束后再运行") from None
        handle.truncate(0)
        handle.write(str(os.getpid()))
        handle.flush()
        yield
