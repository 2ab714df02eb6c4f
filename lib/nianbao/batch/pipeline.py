"""One report, start to finish: execute the template notebook, render HTML, PDF, Word and the 图解, store them.

Papermill executes the template in a fresh kernel (forked from a preloaded server in the
batch's workers, kernels.py); the HTML and Word file are rendered in-process, the PDF by the
worker's typesetter (pages/typeset.py), from the findings payload as the Word file. Each
stage's wall-clock and CPU seconds go to run.json. Every output goes through the folder's
staging (folder.py), so a failed run leaves the previous good report whole, plus
report.failed.ipynb with the failing cell and the reason in run.json.

`timeout` bounds every step: each notebook cell (papermill), and the HTML, PDF and Word
renders (a 10 MB narrative once held a worker for minutes).
"""
from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import threading
import time
import traceback
from pathlib import Path

import nbformat
import papermill
from nbclient.exceptions import DeadKernelError

from .. import kernels, limits
from ..document.notebook import read as notebook_document
from ..errors import NianbaoError, is_ours
from . import folder as outputs
from .jobs import Job


def run_one(job: Job, out: Path, root: Path, timeout: int = 300) -> outputs.Outcome:
    """Execute, check and render one agency-year into out/<year>/<name>/."""
    from ..opendata import digest, package
    from ..pages import html
    from ..pages.typeset import pdf
    from ..pages.word import docx

    outcome = job.outcome()
    folder = out / job.folder if job.folder else None
    if job.problem:
        outcome.reason = job.problem
        return outputs.finish(folder, outcome)
    try:
        staged = outputs.staging(folder)
    except OSError as error:
        outcome.reason = outputs.describe(error)
        return outputs.finish(folder, outcome)
    executed = staged / "report.ipynb"
    try:
        with _stage(outcome, "execute", None):
            notebook = _execute(job, executed, root, timeout)

        document, checked = notebook_document(notebook)
        record = checked.record
        outcome.agency, outcome.title = record.agency, record.title
        outcome.errors, outcome.warnings, outcome.open_errors = checked.errors, checked.warnings, checked.open_errors
        outcome.decided, outcome.stale = checked.decided, len(checked.stale)

        # One document, drawn four ways: the public page, PDF and Word, and the review page.
        with _stage(outcome, "html", timeout):
            (staged / "report.html").write_text(html.page(document), encoding="utf-8")
            review = html.Review(record, checked.findings, checked.stale, checked.coverage)
            (staged / "review.html").write_text(html.page(document, review), encoding="utf-8")
        with _stage(outcome, "pdf", timeout):
            (staged / "report.pdf").write_bytes(pdf(document))
        with _stage(outcome, "docx", timeout):
            (staged / "report.docx").write_bytes(docx(document))
        with _stage(outcome, "digest", timeout):  # its 图解 and 解读, from the checked record
            digest.write(staged, checked)
        package.write_pieces(staged, job.folder, checked)  # its lines of the batch's data package
        payload = checked.to_data()
        payload.pop("record")  # the record as read goes to record.json, for the agency's history page
        payload.pop("previous")
        (staged / "checks.json").write_text(json.dumps(payload, ensure_ascii=False, indent=1), encoding="utf-8")
        (staged / "record.json").write_text(json.dumps(record.to_dict(), ensure_ascii=False, indent=1),
                                            encoding="utf-8")
        outputs.commit(folder, staged)
        outcome.status = "ok"
    except papermill.PapermillExecutionError as error:  # a cell raised: its own words say why
        if error.ename == "MemoryError":
            outcome.reason = limits.out_of_memory(STAGES["execute"])
        else:  # one of nianbao's own says it all in Chinese; another's class name helps its reader
            outcome.reason = error.evalue if is_ours(error.ename) else f"{error.ename}: {error.evalue}"
    except DeadKernelError:  # killed, or aborted at its memory bound in native code
        outcome.reason = f"{STAGES['execute']}时内核意外终止（可能因所需内存超过上限 {limits.said()}）"
    except NianbaoError as error:  # out of time or memory, a notebook of another version, a PDF not laid out
        outcome.reason = str(error)
    except Exception as error:  # one broken report must never stop the batch
        if isinstance(error, OSError) and error.filename:  # a full disk, no permission
            outcome.reason = outputs.describe(error)
        else:  # (a cell's timeout is an OSError too, but of no file)
            outcome.reason = f"{type(error).__name__}: {error}"
            outcome.detail = traceback.format_exc(limit=5)
    finally:
        with contextlib.suppress(OSError):
            if outcome.status == "failed" and executed.exists():  # the cell that failed, for a person
                os.replace(executed, folder / outputs.FAILED_NOTEBOOK)
        shutil.rmtree(staged, ignore_errors=True)
    return outputs.finish(folder, outcome)


# A report's stages, as run.json names them and as a person does.
STAGES = {"execute": "执行模板笔记本", "html": "生成 HTML", "pdf": "生成 PDF", "docx": "生成 Word 文档",
          "digest": "生成图解"}


class StepFailed(NianbaoError):
    """A stage that ran out of time or memory: the message says which, for a person."""


@contextlib.contextmanager
def _stage(outcome: outputs.Outcome, name: str, timeout: int | None):
    """Run a stage within `timeout` seconds (None: it bounds itself) and the process's memory
    bound, and record its wall-clock and CPU seconds in the outcome. The CPU of the processes
    that work for this one meanwhile counts as the stage's: the report's kernel, the typesetter."""
    wall, cpu = time.perf_counter(), _cpu()
    try:
        with _limit(timeout, STAGES[name]):
            yield
    except MemoryError:
        raise StepFailed(limits.out_of_memory(STAGES[name])) from None
    outcome.seconds[name] = round(time.perf_counter() - wall, 3)
    outcome.cpu[name] = round(_cpu() - cpu, 3)


def _cpu() -> float:
    from ..pages.typeset import typesetter_cpu

    return time.process_time() + kernels.kernels_cpu() + typesetter_cpu()


@contextlib.contextmanager
def _limit(seconds: int | None, step: str):
    """Stop a step that runs longer than `seconds`. Only a process's main thread can take the
    alarm (a local worker's is; a Dask worker runs tasks in threads and its steps run unbounded)."""
    if seconds is None or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum, frame):
        raise StepFailed(f"{step}超过 {seconds} 秒，已放弃")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


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
                execution_timeout=timeout, kernel_manager_class=kernels.BatchKernelManager,
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
