"""The batch: every agency-year of params/ executed, checked and rendered, one failure at a time.

A params file (params/<year>/<agency-id>.yaml) names the agency-year and its record:

    agency_id: quzhou-jgswbzzx
    year: 2022
    record: data/2022/quzhou-jgswbzzx.yaml   # relative to the project folder
    previous: data/2021/...                   # optional; found among the params when absent
    history: [data/2020/..., data/2021/...]   # optional; all earlier years found among the params
    notebook: notebooks/...                   # optional; the template, annual_report.ipynb by default

The outputs go to <out>/<year>/<params file name>/, which is the agency id for its annual
report; another document of the same agency-year (a work summary) has a params file of its own.

Each report runs in a worker process: papermill executes the template notebook in a fresh
kernel, forked from a process that has imported ipykernel and the report's modules once
(kernels.py), then the worker renders HTML and PDF in-process with exporters it made once.
The outputs are written to a staging folder and moved over the previous ones only when all
of them succeeded, so a failed run never destroys an earlier good report; it leaves
report.failed.ipynb (with the failing cell) and its reason in run.json for the index.
Ctrl-C lets the reports being made finish and begins no other.

A report whose inputs (params file, records, template notebook, this library) are unchanged
since its last good run is skipped; `force` renders it again.

With a Dask scheduler the same jobs run on a cluster whose workers share no filesystem with
this machine: a task carries its input files and returns its output files (run_packed), and
they are stored here as a local run stores them.
"""
from __future__ import annotations

import functools
import hashlib
import json
import multiprocessing
import multiprocessing.synchronize
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
import traceback
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import nbformat
import papermill
import yaml

from . import kernels, yamltext
from .report import FINDINGS_MIME

TEMPLATE = Path("notebooks/annual_report.ipynb")
OUTPUTS = ("report.ipynb", "report.html", "report.pdf", "checks.json", "record.json")


@dataclass(frozen=True)
class Job:
    params_file: str
    agency_id: str
    year: int
    parameters: dict   # what papermill injects: record, previous, history, year, agency_id
    notebook: str = str(TEMPLATE)  # the template notebook to execute
    problem: str = ""  # why the params file cannot be run, when it cannot
    inputs: str = ""   # fingerprint of everything the outputs are made from

    @property
    def input_files(self) -> list[str]:
        """What the report is made from: the template, and this and other years' records."""
        parameters = self.parameters
        paths = [self.notebook, parameters["record"], parameters.get("previous"), *parameters.get("history", [])]
        return [path for path in paths if path]

    def fingerprint(self) -> str:
        digest = hashlib.sha256(_library())
        for path in [self.params_file, *self.input_files]:
            digest.update(str(path).encode())
            digest.update(Path(path).read_bytes() if Path(path).is_file() else b"missing")
        return digest.hexdigest()

    def outcome(self, **known) -> Outcome:
        """How this job ended, failed until shown otherwise."""
        return Outcome(self.params_file, self.agency_id, self.year, "failed", self.folder, inputs=self.inputs, **known)

    @property
    def folder(self) -> str:
        return f"{self.year}/{Path(self.params_file).stem}"


@dataclass
class Outcome:
    params_file: str
    agency_id: str
    year: int
    status: str                 # ok | failed
    folder: str = ""            # <year>/<name> under the output folder
    reason: str = ""            # why it failed, for a person
    agency: str = ""
    title: str = ""
    errors: int = 0
    warnings: int = 0
    seconds: dict = field(default_factory=dict)  # execute, html, pdf
    detail: str = ""            # the traceback of an unexpected failure, for a developer
    finished: str = ""
    inputs: str = ""            # the fingerprint of the job's inputs when it ran
    skipped: bool = False       # unchanged since its last good run: nothing was rendered

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    @classmethod
    def read(cls, path: Path) -> Outcome:
        """An outcome as _finish wrote it to run.json."""
        return cls(**json.loads(path.read_text(encoding="utf-8")))


def discover(selected: list[Path] | None, params_dir: Path = Path("params"), root: Path = Path("."),
             template: Path = TEMPLATE) -> list[Job]:
    """Jobs for the selected params files (all under params_dir when none are named).

    A record's previous year is the params file of the same agency and template for year − 1,
    and its history every earlier year's, looked for among all params files, so that running
    one agency still checks its carry-over and shows its history. `template` is the notebook
    of params files that name none.
    """
    every = sorted(params_dir.glob("**/*.yaml")) if params_dir.is_dir() else []
    chosen = [Path(p) for p in selected] if selected else every
    read = {path: _job(path, root, template) for path in {*every, *chosen}}
    known = {(job.agency_id, job.year, job.notebook): job for job in read.values() if not job.problem}
    declared = {notebook: set(papermill.inspect_notebook(notebook)) for _, _, notebook in known}
    jobs = []
    for path in chosen:
        job = read[path]
        if not job.problem:
            earlier = sorted(year for agency, year, notebook in known
                             if (agency, notebook) == (job.agency_id, job.notebook) and year < job.year)
            records = {year: known[(job.agency_id, year, job.notebook)].parameters["record"] for year in earlier}
            found = {"history": job.parameters["history"] or list(records.values()),
                     "previous": job.parameters["previous"] or records.get(job.year - 1, "")}
            # A template takes what its parameters cell declares (a work summary has no history).
            parameters = {name: value for name, value in {**job.parameters, **found}.items()
                          if name in declared[job.notebook]}
            job = replace(job, parameters=parameters)
            job = replace(job, inputs=job.fingerprint())
        jobs.append(job)
    return jobs


@functools.cache
def _library() -> bytes:
    """The package's own files (code, editions, templates), as one digest: a new version of the
    library renders again."""
    digest = hashlib.sha256()
    package = Path(__file__).parent
    for path in sorted(p for p in package.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(str(path.relative_to(package)).encode())
        digest.update(path.read_bytes())
    return digest.digest()


def _job(path: Path, root: Path, template: Path) -> Job:
    fallback = Job(str(path), path.stem, _int(path.parent.name), {})
    try:
        data = yamltext.load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as error:
        return _broken(fallback, f"参数文件无法读取：{error}")
    missing = [key for key in ("agency_id", "year", "record") if not data.get(key)]
    if missing:
        return _broken(fallback, f"参数文件缺少字段：{'、'.join(missing)}")
    parameters = {
        "record": str((root / data["record"]).resolve()),
        "previous": str((root / data["previous"]).resolve()) if data.get("previous") else "",
        "history": [str((root / path).resolve()) for path in data.get("history") or []],
        "year": int(data["year"]),
        "agency_id": str(data["agency_id"]),
    }
    notebook = ((root / data["notebook"]) if data.get("notebook") else template).resolve()
    job = Job(str(path), parameters["agency_id"], parameters["year"], parameters, str(notebook))
    return job if notebook.is_file() else _broken(job, f"模板笔记本不存在：{notebook}")


def _broken(job: Job, problem: str) -> Job:
    return replace(job, problem=problem)


def _int(text: str) -> int:
    return int(text) if text.isdigit() else 0


class Interrupted(KeyboardInterrupt):
    """Ctrl-C stopped the batch: the reports not begun were cancelled and those running were
    finished. `outcomes` holds every report that ended, skipped ones included."""

    def __init__(self, outcomes: list[Outcome]):
        super().__init__()
        self.outcomes = outcomes


def run(jobs: list[Job], out: Path, *, workers: int | None = None, root: Path = Path("."),
        force: bool = False, timeout: int = 300, scheduler: str | None = None, progress=None) -> list[Outcome]:
    """Run the jobs in worker processes, or on the Dask cluster of `scheduler`;
    `progress(outcome)` is called as each one ends.

    A job whose inputs match its last good run is not run again unless `force` is set.
    Ctrl-C cancels the reports not begun and raises Interrupted once those running have ended.
    """
    out.mkdir(parents=True, exist_ok=True)
    outcomes, todo = [], []
    for job in jobs:
        last = None if force else _unchanged(out / job.folder, job)
        if last:
            outcomes.append(last)
            if progress:
                progress(last)
        else:
            todo.append(job)
    if not todo:
        return outcomes
    if scheduler:
        _run_on_cluster(todo, out, scheduler, timeout, outcomes, progress)
    else:
        _run_here(todo, out, root, workers or default_workers(), timeout, outcomes, progress)
    return outcomes


def default_workers() -> int:
    """One worker more than cores: a report spends about half a second waiting for its kernel
    (the start-up handshake, the shutdown), which another worker's report fills. Measured on
    2 cores, 40 synthetic agencies: 49–54 reports/min with 2 workers, 57–61 with 3."""
    return (os.cpu_count() or 1) + 1


# A worker process makes this many reports, then a new one takes its place. WeasyPrint keeps
# about 70 KB of C memory for every PDF it makes (measured: 10 MiB over 150 PDFs of the same
# report, with no more Python objects), and a worker that lived through a batch of 1000 grew
# by 24 MiB. ProcessPoolExecutor's own max_tasks_per_child deadlocks on Python 3.11 when
# reports are queued ahead of the workers (python/cpython#115634), so the pool is made anew instead.
REPORTS_PER_WORKER = 200


def _run_here(jobs: list[Job], out: Path, root: Path, workers: int, timeout: int, outcomes: list, progress) -> None:
    # The pool hands a worker its next report before the current one ends, so a report may be
    # on its way and no longer cancellable: `stopping` tells the worker not to begin it.
    stopping = multiprocessing.Event()
    _exporter()  # built here once, the workers forked from this process have it already
    workers = min(workers, len(jobs))
    share = workers * REPORTS_PER_WORKER
    for start in range(0, len(jobs), share):
        with ProcessPoolExecutor(max_workers=workers, initializer=_start_worker, initargs=(stopping,)) as pool:
            futures = {pool.submit(_run_unless_stopped, job, out.resolve(), root.resolve(), timeout): job
                       for job in jobs[start:start + share]}
            _collect(futures, as_completed, lambda future, job: future.result(), outcomes, progress,
                     stop=stopping.set)


def _run_on_cluster(jobs: list[Job], out: Path, scheduler: str, timeout: int, outcomes: list, progress) -> None:
    from distributed import Client, as_completed

    def stored(future, job: Job) -> Outcome:
        try:
            outcome, files = future.result()
        except Exception as error:  # the worker itself was lost: this report fails, not the batch
            outcome, files = job.outcome(reason=f"{type(error).__name__}: {error}"), {}
        return _store(out / job.folder, outcome, files)

    with Client(scheduler) as client:
        futures = {client.submit(run_packed, job, _pack(job), timeout, pure=False): job for job in jobs}
        _collect(futures, as_completed, stored, outcomes, progress)


def _collect(futures: dict, as_completed, outcome_of, outcomes: list, progress, stop=lambda: None) -> None:
    """Add each job's outcome as its future ends (a job stopped before it began has none).

    Ctrl-C does not stop this loop halfway through storing a report: it cancels the futures
    not begun and calls `stop`; the reports being made end (workers ignore SIGINT, see
    _start_worker) and are stored; then Interrupted is raised. (Dask cancels a task that is
    running as well; nothing of it is stored.) A second Ctrl-C stops at once, as Python does.
    """
    interrupted = []

    def cancel(signum, frame):
        signal.signal(signal.SIGINT, signal.default_int_handler)
        interrupted.append(signum)
        stop()
        for future in futures:
            future.cancel()
        print("\n已中断：不再开始新的报告，正在等待进行中的报告完成（再按 Ctrl-C 立即退出）……",
              file=sys.stderr, flush=True)

    # Only the main thread may handle signals; elsewhere Ctrl-C keeps its default.
    here = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, cancel) if here else None
    try:
        for future in as_completed(futures):
            outcome = None if future.cancelled() else outcome_of(future, futures[future])
            if outcome is None:
                continue
            outcomes.append(outcome)
            if progress:
                progress(outcome)
    finally:
        if here:
            signal.signal(signal.SIGINT, previous)
    if interrupted:
        raise Interrupted(outcomes)


def _pack(job: Job) -> dict[str, bytes]:
    """The files a job reads, by their path here."""
    return {path: Path(path).read_bytes() for path in job.input_files if Path(path).is_file()}


def run_packed(job: Job, files: dict[str, bytes], timeout: int = 300) -> tuple[Outcome, dict[str, bytes]]:
    """Run a job anywhere: its files are laid out in a temporary folder, its outputs come back
    as bytes, and paths in messages are given back their names on the submitting machine."""
    with tempfile.TemporaryDirectory() as tmp:
        here = {}
        for number, (path, content) in enumerate(files.items()):
            local = Path(tmp, "in", str(number), Path(path).name)
            local.parent.mkdir(parents=True)
            local.write_bytes(content)
            here[path] = str(local)
        parameters = {name: ([here.get(p, p) for p in value] if isinstance(value, list) else here.get(value, value))
                      if name in ("record", "previous", "history") else value
                      for name, value in job.parameters.items()}
        local_job = replace(job, notebook=here[job.notebook], parameters=parameters)
        outcome = run_one(local_job, Path(tmp, "out"), Path(tmp), timeout)
        folder = Path(tmp, "out", job.folder)
        outputs = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file() and p.name != "run.json"}
    for path, local in here.items():
        outcome.reason = outcome.reason.replace(local, path)
    return outcome, outputs


def _store(folder: Path, outcome: Outcome, files: dict[str, bytes]) -> Outcome:
    """Put a remote run's outputs in place as run_one does: all or nothing, the failed notebook aside."""
    folder.mkdir(parents=True, exist_ok=True)
    if outcome.ok:
        staging = _staging(folder)
        for name in OUTPUTS:
            (staging / name).write_bytes(files[name])
        for name in OUTPUTS:
            os.replace(staging / name, folder / name)
        staging.rmdir()
        (folder / "report.failed.ipynb").unlink(missing_ok=True)
    elif "report.failed.ipynb" in files:
        (folder / "report.failed.ipynb").write_bytes(files["report.failed.ipynb"])
    return _finish(folder, outcome)


def _staging(folder: Path) -> Path:
    """An empty folder inside `folder` where a report's outputs are written before they replace
    the previous ones. Any other staging folder there was left by a process killed mid-report
    (a report folder is made by one process at a time), and is removed."""
    for left in folder.glob(".staging-*"):
        shutil.rmtree(left, ignore_errors=True)
    staging = folder / f".staging-{os.getpid()}"
    staging.mkdir(parents=True)
    return staging


def _unchanged(folder: Path, job: Job) -> Outcome | None:
    """The last run's outcome, when it was good, made from the same inputs, and left all outputs."""
    path = folder / "run.json"
    if job.problem or not path.exists() or not all((folder / name).exists() for name in OUTPUTS):
        return None
    last = Outcome.read(path)
    if last.ok and last.inputs == job.inputs:
        last.skipped = True
        return last
    return None


@functools.cache
def _exporter():
    """One exporter per process, built once: local workers inherit it from the batch,
    Dask workers build it for their first report."""
    from .render import ReportHTMLExporter

    return ReportHTMLExporter()


# In a worker process of the batch: set when Ctrl-C has stopped it (see _run_here).
_stopping: multiprocessing.synchronize.Event | None = None


def _start_worker(stopping: multiprocessing.synchronize.Event) -> None:
    global _stopping
    _stopping = stopping
    # Ctrl-C is the batch's to handle (_collect): a worker finishes the report it has begun.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    kernels.use_forked_kernels()


def _run_unless_stopped(job: Job, out: Path, root: Path, timeout: int) -> Outcome | None:
    return None if _stopping.is_set() else run_one(job, out, root, timeout)


def run_one(job: Job, out: Path, root: Path, timeout: int = 300) -> Outcome:
    """Execute, check and render one agency-year into out/<year>/<name>/.

    `timeout` bounds each cell, so a hanging kernel fails its own report only.
    """
    from .render import pdf_from_html

    folder = out / job.folder
    outcome = job.outcome()
    if job.problem:
        outcome.reason = job.problem
        return _finish(folder, outcome)
    staging = _staging(folder)
    executed = staging / "report.ipynb"
    try:
        started = time.perf_counter()
        notebook = _execute(job, executed, root, timeout)
        outcome.seconds["execute"] = round(time.perf_counter() - started, 3)

        payload = _findings(notebook)
        outcome.agency, outcome.title = payload["agency"], payload["title"]
        outcome.errors, outcome.warnings = payload["errors"], payload["warnings"]

        started = time.perf_counter()
        html, _ = _exporter().from_notebook_node(notebook)
        (staging / "report.html").write_text(html, encoding="utf-8")
        outcome.seconds["html"] = round(time.perf_counter() - started, 3)
        started = time.perf_counter()
        (staging / "report.pdf").write_bytes(pdf_from_html(html))
        outcome.seconds["pdf"] = round(time.perf_counter() - started, 3)
        record = payload.pop("record")  # the record as read, for the agency's history page
        (staging / "checks.json").write_text(json.dumps(payload, ensure_ascii=False, indent=1), encoding="utf-8")
        (staging / "record.json").write_text(json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8")

        for name in OUTPUTS:  # all outputs exist now: only then replace the previous ones
            os.replace(staging / name, folder / name)
        (folder / "report.failed.ipynb").unlink(missing_ok=True)
        outcome.status = "ok"
    except papermill.PapermillExecutionError as error:  # a cell raised: its own words say why
        outcome.reason = f"{error.ename}: {error.evalue}"
    except Exception as error:  # one broken report must never stop the batch
        outcome.reason = f"{type(error).__name__}: {error}"
        outcome.detail = traceback.format_exc(limit=5)
    finally:
        if outcome.status == "failed" and executed.exists():  # the cell that failed, for a person
            os.replace(executed, folder / "report.failed.ipynb")
        shutil.rmtree(staging, ignore_errors=True)
    return _finish(folder, outcome)


# What jupyter_client says when a kernel never came up (not when it died later).
_START_FAILURES = ("Kernel died before replying to kernel_info", "Kernel didn't respond in")


def _execute(job: Job, executed: Path, root: Path, timeout: int) -> nbformat.NotebookNode:
    """Papermill in a fresh kernel; a kernel that fails to start is given one more try.
    The executed notebook is written to `executed` and returned."""
    for attempt in (1, 2):
        try:
            return papermill.execute_notebook(
                job.notebook, str(executed), parameters=job.parameters, cwd=str(root),
                # The nianbao engine writes the notebook when execution ends, however it ends:
                # a report whose kernel dies or hangs leaves its notebook behind all the same.
                engine_name="nianbao", progress_bar=False, kernel_name="python3",
                execution_timeout=timeout,
                # Kernel logs (TCP on loopback at start-up, the interrupt jupyter_client sends
                # before every shutdown) only clutter the progress bar: a kernel that really
                # fails raises here, and its reason goes to the index.
                extra_arguments=["--IPKernelApp.log_level=CRITICAL",
                                 # nobody reads a batch kernel's input history; writing it
                                 # is an SQLite database per report that kernels queue for
                                 "--HistoryManager.enabled=False"])
        except RuntimeError as error:
            if attempt == 2 or not str(error).startswith(_START_FAILURES):
                raise


def _findings(notebook) -> dict:
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            if FINDINGS_MIME in output.get("data", {}):
                return output["data"][FINDINGS_MIME]
    raise ValueError("模板笔记本没有输出审核结果（缺少 report.review() 单元格）")


def _finish(folder: Path, outcome: Outcome) -> Outcome:
    """Record how the run ended in run.json, which the index reads."""
    outcome.finished = time.strftime("%Y-%m-%d %H:%M:%S")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "run.json").write_text(json.dumps(asdict(outcome), ensure_ascii=False, indent=1), encoding="utf-8")
    return outcome


def load_outcomes(out: Path) -> list[Outcome]:
    """Every agency-year that has been run into `out`, from its run.json."""
    return [Outcome.read(path) for path in sorted(out.glob("*/*/run.json"))]
