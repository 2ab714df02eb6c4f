"""Audit: import every published report of a folder, check each, and write what was found.

Reports of one agency in consecutive years are checked against each other (carry-over). The
audit page lists the reports worst first and links each to its own page: the report as it
was read, its cells marked with their findings, what could not be read at the top. A CSV
holds the same list for a spreadsheet, and records/ the imported records.

Given a hierarchy (reconcile.py), each parent's published tables are compared with the sum of
its children's: every difference is an error on the parent, its page lists them with each
child's value, and reconcile.csv holds them for a spreadsheet.
"""
from __future__ import annotations

import csv
import datetime as dt
import os
from concurrent.futures import TimeoutError as TimedOut
from dataclasses import dataclass, field
from pathlib import Path

from . import checks, importer, pages, reconcile
from .checks.findings import Finding, number
from .intake import yamlfile
from .labels import fold
from .longcsv import safe_cell
from .record import format_value
CSV_HEADER = ("file", "edition", "agency", "year", "errors", "warnings", "unread", "findings", "status")
RECONCILE_HEADER = ("file", "agency", "year", "table", "row", "column", "published", "sum", "children")


class Skipped(str):
    """Why a file that is no report at all was passed over: not a failure of the audit."""


@dataclass
class Entry:
    """One published report of the folder, as audited."""
    file: Path
    imported: importer.Imported | None
    findings: list[Finding] = field(default_factory=list)  # errors, then what could not be read, then warnings
    failure: str = ""                                       # why nothing could be imported
    page: str = ""                                          # its page, relative to the output folder
    reconciliation: reconcile.Reconciliation | None = None  # a parent's: its children's sum, compared
    duplicate_of: Path | None = None                        # the file holding the same report, read first

    @property
    def skipped(self) -> str:
        """Why the file is no report at all (a README): listed, not counted as an error."""
        return self.failure if isinstance(self.failure, Skipped) else ""

    @property
    def status(self) -> str:
        """What became of a file that was not checked as a report of its own."""
        if self.skipped:
            return f"已跳过：{self.skipped}"
        return f"与 {self.duplicate_of} 是同一份报告，未再核查" if self.duplicate_of else ""

    @property
    def errors(self) -> int:
        return pages.counts(self.findings).errors + bool(self.failure and not self.skipped)

    @property
    def warnings(self) -> int:
        return pages.counts(self.findings).warnings

    @property
    def unread(self) -> int:
        return len(self.imported.notes) if self.imported else 0


def files(folder: Path) -> list[Path]:
    """The reports of a folder and its subfolders that the importer reads, in name order."""
    known = set(importer.suffixes())
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in known)


TIMEOUT = 60  # seconds one file may take to import: a real report takes well under one


def read_all(paths: list[Path], *, jobs: int | None = None, timeout: int = TIMEOUT,
             agency: str = "", year: int | None = None):
    """(path, Imported or None, why not) for each file, in the order given; `agency` and `year`
    stand in for what a document does not state.

    Each file is read in a worker process of its own pool (pebble): one that runs longer than
    `timeout` seconds is stopped, its worker replaced, and the file fails with that reason;
    one whose import raises fails alone. Only results come back, so memory stays flat in the
    number of files.
    """
    from pebble import ProcessPool

    with ProcessPool(max_workers=jobs or os.cpu_count() or 1) as pool:
        futures = {pool.schedule(_read_one, args=(path, agency, year), timeout=timeout): path for path in paths}
        for future, path in futures.items():
            try:
                imported, failure = future.result()
            except TimedOut:
                imported, failure = None, f"{path}: 导入超过 {timeout} 秒，已放弃（文件过大或结构异常）"
            except Exception as error:  # the worker itself died (out of memory)
                imported, failure = None, f"{path}: 导入时工作进程意外终止：{type(error).__name__}: {error}"
            yield path, imported, failure


def _read_one(path: Path, agency: str = "", year: int | None = None):
    try:
        return importer.read(path, agency, year), ""
    except importer.NotAReport as failed:
        return None, Skipped(failed)
    except importer.ImportFailed as failed:
        return None, str(failed)
    except Exception as error:  # a page no reader foresaw must not stop the others
        return None, f"{path}: {type(error).__name__}: {error}"


def audit(folder: Path, out: Path, *, today: dt.date | None = None, progress=None,
          jobs: int | None = None, timeout: int = TIMEOUT,
          hierarchy: reconcile.Hierarchy | None = None, by_folder: bool = False) -> list[Entry]:
    """Every report of the folder, checked, worst first; written to `out`.

    With a `hierarchy` (reconcile.read_hierarchy), or `by_folder` to take it from the folders,
    each parent is also compared with the sum of its children."""
    entries = []
    for path, imported, failure in read_all(files(folder), jobs=jobs, timeout=timeout):
        entries.append(Entry(path, imported, failure=failure))
        if progress:
            progress(entries[-1])
    _name_duplicates(entries, folder)
    by_year = {(fold(e.imported.record.agency), e.imported.record.year): e.imported.record
               for e in entries if e.imported and e.imported.record.agency}
    for entry in entries:
        if entry.imported and not entry.duplicate_of:
            record = entry.imported.record
            previous = by_year.get((fold(record.agency), record.year - 1)) if record.agency else None
            found = [*entry.imported.notes, *checks.check(record, previous, today=today)]
            entry.findings = sorted(found, key=lambda f: f.severity != "error")  # errors first, else as read
    reconciling = by_folder or hierarchy is not None
    if reconciling:
        _reconcile(entries, folder, hierarchy, by_folder)
    entries.sort(key=lambda e: (bool(e.skipped or e.duplicate_of), -e.errors, -e.warnings, e.file.name))
    _write(entries, folder, out, reconciling)
    return entries


def _name_duplicates(entries: list[Entry], folder: Path) -> None:
    """Each report read a second time (the same report as HTML and as PDF) names the file read
    first, in name order; it is not checked again. The same agency, year, edition and tables
    make the same report."""
    first: dict[tuple, Path] = {}
    for entry in sorted(entries, key=lambda e: e.file):
        if not entry.imported or not entry.imported.record.agency:
            continue
        record = entry.imported.record
        key = (fold(record.agency), record.year, record.edition, repr(record.tables))
        if key in first:
            entry.duplicate_of = first[key].relative_to(folder)
        else:
            first[key] = entry.file


def _reconcile(entries: list[Entry], folder: Path, hierarchy: reconcile.Hierarchy | None, by_folder: bool) -> None:
    """Each parent compared with its children, its differences added to its findings."""
    by_file = {e.file: e for e in entries}
    if by_folder:
        hierarchy, ambiguous = reconcile.by_folder(
            folder, [(e.file, e.imported.record if e.imported else None) for e in entries])
        for file, warning in ambiguous.items():
            by_file[file].findings.append(warning)
    for parent, below in hierarchy.items():
        entry = by_file[parent]
        if not entry.imported:
            continue  # its entry already says it could not be imported
        children = reconcile.children(folder, [(file, by_file[file].imported.record if by_file[file].imported else None,
                                                 by_file[file].failure) for file in below])
        entry.reconciliation = reconcile.compare(entry.imported.record, children)
        found = [*reconcile.findings(entry.reconciliation, entry.imported.record), *entry.findings]
        entry.findings = sorted(found, key=lambda f: f.severity != "error")


def _write(entries: list[Entry], folder: Path, out: Path, reconciling: bool) -> None:
    (out / "reports").mkdir(parents=True, exist_ok=True)
    (out / "records").mkdir(exist_ok=True)
    style = pages.stylesheet()
    names = _page_names(entries, folder)
    for entry in entries:
        name = names[entry.file]
        entry.page = f"reports/{name}.html"
        record = entry.imported.record if entry.imported else None
        fragments = {}
        if record:
            (out / "records" / f"{name}.yaml").write_text(yamlfile.dump(record), encoding="utf-8")
            fragments = {"review": pages.review(record, entry.findings), "heading": pages.heading(record),
                         "parts": [pages.part(record, entry.findings, part.id) for part in record.spec.parts],
                         "signature": pages.signature(record)}
        html = pages.render("audit/report.html.j2", entry=entry, record=record, style=style,
                            source=entry.file.relative_to(folder), names=names, number=number, **fragments)
        (out / entry.page).write_text(html, encoding="utf-8")
    summary = pages.summary((True, e.errors, e.warnings) for e in entries  # a failure counts as an error
                            if not e.skipped and not e.duplicate_of)
    (out / "index.html").write_text(pages.render("audit/index.html.j2", entries=entries, summary=summary,
                                                 folder=folder, reconciling=reconciling), encoding="utf-8")
    with (out / "audit.csv").open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_HEADER)
        for e in entries:
            record = e.imported.record if e.imported else None
            writer.writerow([safe_cell(str(value)) for value in (
                e.file.relative_to(folder), record.edition if record else "", record.agency if record else "",
                record.year if record else "", e.errors, e.warnings, e.unread, e.page, e.status)])
    if reconciling:
        _write_differences(entries, folder, out / "reconcile.csv")


def _write_differences(entries: list[Entry], folder: Path, path: Path) -> None:
    """One row per cell a parent published that its children's sum contradicts."""
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(RECONCILE_HEADER)
        for e in entries:
            if not e.reconciliation:
                continue
            record = e.imported.record
            for cell in e.reconciliation.differences:
                writer.writerow([safe_cell(str(value)) for value in (
                    e.file.relative_to(folder), record.agency, record.year, cell.table, cell.row, cell.column,
                    format_value(cell.published), format_value(cell.total), reconcile.values(cell))])


def _page_names(entries: list[Entry], folder: Path) -> dict[Path, str]:
    """A page name per file: its stem, with its folder when two files share a stem."""
    stems = [e.file.stem for e in entries]
    return {e.file: (e.file.stem if stems.count(e.file.stem) == 1
                     else "_".join(e.file.relative_to(folder).with_suffix("").parts))
            for e in entries}
