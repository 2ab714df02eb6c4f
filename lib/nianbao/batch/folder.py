"""The output folder's contract: what a report folder holds, and how it is written and read.

    <out>/<year>/<name>/report.html, report.pdf, report.docx   the report, to publish
                       review.html           the report with the reviewers' panel and its findings marked
                       report.ipynb, checks.json, record.json
                       run.json              how the last run ended (an Outcome)
                       report.failed.ipynb   only after a failed run: the notebook with the failing cell

A report's outputs are written to a staging folder beside them and moved over the previous
ones only when every one of them exists (`commit`), so a failed run never destroys an earlier
good report. run.json is replaced atomically too: a kill or a full disk mid-write leaves the
old one whole. A run.json that cannot be read all the same (written by hand, or by another
tool) means "not made": the report is made again, never is the batch stopped by it.
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
import time
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from .. import ids
from ..errors import reason

OUTPUTS = ("report.ipynb", "report.html", "review.html", "report.pdf", "report.docx", "checks.json", "record.json",
           "reports.csv", "cells.csv")  # the report's lines of the data package (opendata/package.py)
# Made for a report with tables only: its 图解 and 解读 (opendata/digest.py)
OPTIONAL = ("digest.pdf", "digest.png", "digest.html", "digest.md")
FAILED_NOTEBOOK = "report.failed.ipynb"
STATE = "run.json"
# What the index calls each file a report folder may hold, in the order it lists them.
FILES = {"review.html": "审核页", "report.html": "HTML", "report.pdf": "PDF", "report.docx": "Word",
         "digest.html": "图解", "digest.pdf": "图解PDF", "digest.png": "图解图片", "digest.md": "解读", "cells.csv": "数据",
         "report.ipynb": "笔记本", "checks.json": "审核结果", FAILED_NOTEBOOK: "失败的笔记本"}


@dataclass
class Outcome:
    params_file: str
    agency_id: str
    year: int
    status: str                 # ok | failed
    folder: str = ""            # <year>/<name> under the output folder; "" when it has none
    reason: str = ""            # why it failed, for a person
    agency: str = ""
    title: str = ""
    errors: int = 0
    warnings: int = 0
    open_errors: int = 0        # errors no reviewer explained or marked a false alarm (reviews.py)
    decided: int = 0            # findings with a reviewer's decision
    stale: int = 0              # decisions whose finding is gone
    seconds: dict = field(default_factory=dict)  # execute, html, pdf, docx, digest: wall-clock seconds
    cpu: dict = field(default_factory=dict)      # the same stages' CPU seconds, the kernel's in execute
    detail: str = ""            # the traceback of an unexpected failure, for a developer
    finished: str = ""
    inputs: str = ""            # the fingerprint of the job's inputs when it ran
    skipped: bool = False       # unchanged since its last good run: nothing was rendered
    notice: str = ""            # what went wrong on the way and was mended (a damaged run.json,
                                # a worker that died), for the summary
    because: str = ""           # run beside the params files named, as it depends on them (jobs.py)

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def note(self, notice: str) -> None:
        self.notice = "；".join(filter(None, [self.notice, notice]))


def staging(folder: Path) -> Path:
    """An empty folder inside `folder` where a report's outputs are written before they replace
    the previous ones. Any other staging folder there was left by a process killed mid-report
    (a report folder is made by one process at a time), and is removed."""
    folder.mkdir(parents=True, exist_ok=True)
    for left in folder.glob(".staging-*"):
        shutil.rmtree(left, ignore_errors=True)
    made = folder / f".staging-{os.getpid()}"
    made.mkdir()
    return made


def was_begun(folder: Path) -> bool:
    """Whether a process began this report and never finished it: its staging folder is there."""
    return any(folder.glob(".staging-*"))


def commit(folder: Path, staged: Path) -> None:
    """Move every output from `staged` over the previous ones: only once all of them exist. An
    optional one not made this time goes, so that none outlives the report it was made for."""
    missing = [name for name in OUTPUTS if not (staged / name).is_file()]
    if missing:
        raise FileNotFoundError(f"缺少输出：{'、'.join(missing)}")
    for name in OUTPUTS:
        os.replace(staged / name, folder / name)
    for name in OPTIONAL:
        if (staged / name).is_file():
            os.replace(staged / name, folder / name)
        else:
            (folder / name).unlink(missing_ok=True)
    (folder / FAILED_NOTEBOOK).unlink(missing_ok=True)


def finish(folder: Path | None, outcome: Outcome) -> Outcome:
    """Record how the run ended in run.json, which the index reads. A folder that cannot take
    it (a full disk, no permission) adds that to the reason; the outcome is returned either way."""
    outcome.finished = time.strftime("%Y-%m-%d %H:%M:%S")
    # Paths in reasons as the person who ran the batch names them: relative to the project.
    outcome.reason = outcome.reason.replace(f"{_project()}{os.sep}", "")
    if folder is None:
        return outcome
    try:
        folder.mkdir(parents=True, exist_ok=True)
        write_atomically(folder / STATE, json.dumps(asdict(outcome), ensure_ascii=False, indent=1))
    except OSError as error:
        outcome.status = "failed"
        outcome.reason = "\n".join(filter(None, [outcome.reason, describe(error)]))
    return outcome


def write_atomically(path: Path, text: str) -> None:
    """Write a file whole or not at all: into a temporary file beside it, then renamed over it.
    The temporary file is made as any file is (0666 less the umask, which the system applies),
    so the file gets the mode of every other output, not mkstemp's 0600."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
    handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def read(path: Path) -> Outcome | None:
    """The outcome stored in a run.json, or None when it is missing or cannot be read."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        known = {f.name for f in fields(Outcome)}
        outcome = Outcome(**{key: value for key, value in data.items() if key in known})
    except (OSError, ValueError, TypeError, AttributeError):
        return None
    if not isinstance(outcome.agency_id, str) or ids.problem(outcome.agency_id) \
            or not isinstance(outcome.year, int) or not isinstance(outcome.folder, str):
        return None  # not a run.json this tool wrote: its names must not become paths
    return outcome


def load_outcomes(out: Path) -> list[Outcome]:
    """Every agency-year that has been run into `out`, from its run.json. One that cannot be
    read is listed as failed, so that the index shows it instead of dropping it."""
    outcomes = []
    for path in sorted(out.glob("*/*/run.json")):
        folder = f"{path.parent.parent.name}/{path.parent.name}"
        outcome = read(path)
        if outcome is None:
            year = int(path.parent.parent.name) if path.parent.parent.name.isdigit() else 0
            outcome = Outcome("", path.parent.name, year, "failed", folder,
                              reason=f"运行记录 {folder}/{STATE} 已损坏，无法读取：请重新运行这份报告")
        outcome.folder = folder  # where it lies now, whatever it says
        outcomes.append(outcome)
    return outcomes


def describe(error: OSError, doing: str = "写入") -> str:
    """An error of a file in one line, in Chinese, naming the path (relative to the project):
    writing it by default (the output folder's), or `doing` another thing to it ("读取")."""
    where = f" {shown(error.filename)}" if error.filename else ""
    return f"无法{doing}{where}：{reason(error)}"


def shown(path) -> str:
    """A path as the person who ran the batch names it: relative to the project, where it lies inside."""
    try:
        return str(Path(path).resolve().relative_to(_project()))
    except ValueError:
        return str(path)


def _project() -> Path:
    return Path.cwd().resolve()  # the batch runs in the project folder
