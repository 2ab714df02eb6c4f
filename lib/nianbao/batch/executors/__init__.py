"""Where a batch's jobs run: an executor per place, selected by name.

`local` runs them in worker processes on this machine; `dask` on a Dask cluster. Other
packages add executors through the entry point group ``nianbao.executors`` (name: what
`nianbao run --executor` takes; object: a class built with the run's Options, whose
`run(jobs, out, done)` calls `done(outcome)` as each job ends and leaves out the jobs it never
began). Whatever the executor, a Ctrl-C or a SIGTERM stops the batch the same way (collect).
"""
from __future__ import annotations

from ... import registry
from .common import Interrupted, Options, collect
from .dask import DaskExecutor
from .local import LocalExecutor

__all__ = ["Interrupted", "Options", "collect", "registered"]


def registered() -> dict:
    return registry.entries("nianbao.executors", {"local": LocalExecutor, "dask": DaskExecutor})
