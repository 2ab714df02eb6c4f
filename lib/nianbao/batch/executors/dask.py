"""The Dask executor: the same jobs on a cluster whose workers share no filesystem with this
machine. A task carries its input files and returns its output files (run_packed), and they
are stored here as a local run stores them (folder.commit)."""
from __future__ import annotations

import functools
import multiprocessing
import shutil
import tempfile
from dataclasses import replace
from pathlib import Path

from ... import kernels
from .. import folder as outputs
from .. import pipeline
from .common import Options, collect


class DaskExecutor:
    def __init__(self, options: Options):
        if not options.scheduler:
            raise ValueError("在 Dask 集群上运行需要调度器地址（--scheduler tcp://主机:8786）")
        self.options = options

    def run(self, jobs: list, out: Path, done) -> None:
        from distributed import Client, as_completed

        def stored(future, job):
            try:
                outcome, files = future.result()
            except Exception as error:  # the worker itself was lost: this report fails, not the batch
                outcome, files = job.outcome(reason=f"{type(error).__name__}: {error}"), {}
            finally:
                future.release()  # else its worker holds the report's files until the batch ends
            return _store(out, job, outcome, files)

        with Client(self.options.scheduler) as client:
            futures = {client.submit(run_packed, job, _pack(job), self.options.timeout, pure=False): job
                       for job in jobs}
            collect(futures, as_completed, stored, done)


def _pack(job) -> dict[str, bytes]:
    """The files a job reads, by their path here."""
    return {path: Path(path).read_bytes() for path in job.input_files if Path(path).is_file()}


def run_packed(job, files: dict[str, bytes], timeout: int = 300):
    """Run a job anywhere: its files are laid out in a temporary folder, its outputs come back
    as bytes, and paths in messages are given back their names on the submitting machine."""
    _forked_kernels()
    with tempfile.TemporaryDirectory() as tmp:
        here = {}
        for number, (path, content) in enumerate(files.items()):
            local = Path(tmp, "in", str(number), Path(path).name)
            local.parent.mkdir(parents=True)
            local.write_bytes(content)
            here[path] = str(local)

        def local(value):  # any parameter naming a packed file names its copy here
            if isinstance(value, list):
                return [local(item) for item in value]
            return here.get(value, value) if isinstance(value, str) else value

        local_job = replace(job, notebook=here[job.notebook],
                            parameters={name: local(value) for name, value in job.parameters.items()})
        outcome = pipeline.run_one(local_job, Path(tmp, "out"), Path(tmp), timeout)
        folder = Path(tmp, "out", job.folder)
        outputs_here = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file() and p.name != outputs.STATE}
    for path, copy in here.items():
        outcome.reason = outcome.reason.replace(copy, path)
    return outcome, outputs_here


@functools.cache
def _forked_kernels() -> None:
    """A Dask worker forks its reports' kernels as a local worker does: a kernel started as a
    new interpreter spends 1.5 s of CPU importing before its first cell. Python lets no daemon
    process have children, and a Dask nanny starts its worker as one unless the worker's
    configuration says otherwise (DASK_DISTRIBUTED__WORKER__DAEMON=False): such a worker
    starts its kernels as new interpreters."""
    if not multiprocessing.current_process().daemon:
        kernels.use_forked_kernels()


def _store(out: Path, job, outcome, files: dict[str, bytes]):
    """Put a remote run's outputs in place as a local run does: all or nothing, the failed
    notebook aside."""
    folder = out / job.folder
    try:
        if outcome.ok:
            staged = outputs.staging(folder)
            try:
                for name in (*outputs.OUTPUTS, *outputs.OPTIONAL):
                    if name in files:  # an output missing is refused by commit; an optional one goes
                        (staged / name).write_bytes(files[name])
                outputs.commit(folder, staged)
            finally:
                shutil.rmtree(staged, ignore_errors=True)
        elif outputs.FAILED_NOTEBOOK in files:
            folder.mkdir(parents=True, exist_ok=True)
            (folder / outputs.FAILED_NOTEBOOK).write_bytes(files[outputs.FAILED_NOTEBOOK])
    except OSError as error:
        outcome.status, outcome.reason = "failed", outputs.describe(error)
    return outputs.finish(folder, outcome)
