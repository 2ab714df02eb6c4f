"""Audit: import every published report of a folder, check each, and write what was found.

Reports of one agency in consecutive years are checked against each other (carry-over). The
audit page lists the reports worst first and links each to its own page: the report as it
was read, its cells marked with their findings, what could not be read at the top. A CSV
holds the same list for a spreadsheet, and records/ the imported records.

The files of one report (the page, a Word file and a PDF of it: copies.py) are compared cell by
cell, each disagreement a finding on each file. The ledger of originals (watch.py, originals.csv)
keeps each file's SHA-256, size and read time: a later audit into the same folder names every
report changed since it was first read, and the files added or removed.

Given a hierarchy (reconcile.py), each parent's published tables are compared with the sum of
its children's: every difference is an error on the parent, its page lists them with each
child's value, and reconcile.csv holds them for a spreadsheet.
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import pickle
import tempfile
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import checks, copies, importer, limits, pages, reconcile, watch
from .checks.findings import Finding, counts, number, report_counts
from .document import build
from .importer import pool
from .intake import yamlfile
from .labels import fold
from .longcsv import safe_cell
from .pages import html
from .record import format_value

CSV_HEADER = ("file", "edition", "agency", "year", "errors", "warnings", "unread", "findings", "status")
RECONCILE_HEADER = ("file", "agency", "year", "table", "row", "column", "published", "sum", "children")
COPIES_HEADER = ("file", "agency", "year", "table", "row", "column", "field", "value", "others")


@dataclass(frozen=True)
class Read:
    """What the audit keeps in memory of an imported report while the others are read: enough
    to pair it with its agency's year before, to tell a second copy of it and to list it. The
    report itself waits on disk until its page is made, so memory stays flat in the number of
    files."""
    agency: str
    year: int
    edition: str        # its edition's id
    edition_name: str
    kind: str           # how the source was laid out
    unread: int         # what could not be read for certain
    content: str        # a digest of its edition, tables and fields compared: the same report, the same digest


@dataclass
class Entry:
    """One published report of the folder, as audited."""
    file: Path
    read: Read | None
    findings: list[Finding] = field(default_factory=list)  # errors, then what could not be read, then warnings
    failure: str = ""                                       # why nothing could be imported
    page: str = ""                                          # its page, relative to the output folder
    reconciliation: reconcile.Reconciliation | None = None  # a parent's: its children's sum, compared
    duplicate_of: Path | None = None                        # the file holding the same report, read first

    @property
    def skipped(self) -> str:
        """Why the file is no report at all (a README): listed, not counted as an error."""
        return self.failure if isinstance(self.failure, pool.Skipped) else ""

    @property
    def status(self) -> str:
        """What became of a file that was not checked as a report of its own."""
        if self.skipped:
            return f"已跳过：{self.skipped}"
        return f"与 {self.duplicate_of} 是同一份报告，未再核查" if self.duplicate_of else ""

    @property
    def errors(self) -> int:
        return counts(self.findings).errors + bool(self.failure and not self.skipped)

    @property
    def warnings(self) -> int:
        return counts(self.findings).warnings

    @property
    def unread(self) -> int:
        return self.read.unread if self.read else 0


def files(folder: Path) -> list[Path]:
    """The reports of a folder and its subfolders that the importer reads, in name order."""
    known = set(importer.suffixes())
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in known)


def audit(folder: Path, out: Path, *, today: dt.date | None = None, progress=None,
          jobs: int | None = None, timeout: int = pool.TIMEOUT,
          hierarchy: reconcile.Hierarchy | None = None, by_folder: bool = False,
          read_at: str | None = None) -> list[Entry]:
    """Every report of the folder, checked, worst first; written to `out`.

    Two passes over the files, each in a pool of worker processes: the first imports each
    file, writes its record and leaves the imported report on disk; once all are read (a
    report is checked against its agency's year before, wherever that file comes), the second
    checks each and writes its page. `progress(step, entry)` is called as each file is done
    with a step: "read", then "checked".

    With a `hierarchy` (reconcile.read_hierarchy), or `by_folder` to take it from the folders,
    each parent is also compared with the sum of its children. `read_at` is the time the ledger
    of originals gives this reading (ISO 8601; default: now)."""
    (out / "reports").mkdir(parents=True, exist_ok=True)
    (out / "records").mkdir(exist_ok=True)
    paths = files(folder)
    names = _page_names(paths, folder)
    originals = watch.watch(folder, paths, out, read_at)
    with tempfile.TemporaryDirectory(prefix="nianbao-audit-", ignore_cleanup_errors=True) as spool_folder, \
            pool.pool(jobs, spool_folder) as workers:
        spool = {path: Path(spool_folder) / f"{number}.pickle" for number, path in enumerate(paths)}
        entries = []
        tasks = ((path, spool[path], out / "records" / f"{names[path]}.yaml") for path in paths)
        for (path, _, _), future in pool.in_order(workers, _import_task, tasks, timeout, pool.workers(jobs)):
            read, failure = pool.outcome(future, path, timeout, "导入")
            entries.append(Entry(path, read, failure=failure, page=f"reports/{names[path]}.html"))
            if progress:
                progress("read", entries[-1])
        _name_duplicates(entries, folder)
        _compare_copies(entries, spool, folder)
        reconciling = by_folder or hierarchy is not None
        below = _children(entries, folder, hierarchy, by_folder) if reconciling else {}
        # a report's year before: the last file of its agency and year, in name order
        by_year = {(fold(e.read.agency), e.read.year): spool[e.file] for e in entries if e.read and e.read.agency}
        # a 0 where the folder's other reports of the year count hundreds (checks.peer_zeros)
        records = {e.file: _load(spool[e.file]).record for e in entries if e.read and not e.duplicate_of}
        peers = checks.peer_zeros(records.values())

        def check_of(entry: Entry) -> _Check:
            previous = by_year.get((fold(entry.read.agency), entry.read.year - 1)) if entry.read else None
            children = [(file, spool[file] if child.read else None, child.failure)
                        for file, child in below.get(entry.file, [])]
            return _Check(entry, spool[entry.file] if entry.read else None, previous, children,
                          {file: names[file] for file, _, _ in children}, folder, out, today,
                          peers.get((records[entry.file].agency_id, entry.read.year), []) if entry.file in records else [])

        for task, future in pool.in_order(workers, _check_task, map(check_of, entries), timeout, pool.workers(jobs)):
            entry = task.entry
            checked = pool.outcome(future, entry.file, timeout, "核查")
            if isinstance(checked, Entry):
                entry.findings, entry.reconciliation, entry.failure = (checked.findings, checked.reconciliation,
                                                                       checked.failure)
            else:  # its worker was stopped before writing the page: one saying why takes its place
                entry.failure = entry.failure or checked[1]
                _write_page(task)
            if progress:
                progress("checked", entry)
    entries.sort(key=lambda e: (bool(e.skipped or e.duplicate_of), -e.errors, -e.warnings, e.file.name))
    _write(entries, folder, out, reconciling, originals)
    from .opendata.package import write_audit  # OUT/data/: the data package of what was read, as the batch's
    write_audit(out, entries, folder)
    watch.write(originals, out)  # last: an audit that failed before keeps the earlier ledger
    return entries


def _import_task(task) -> tuple[Read | None, str]:
    """Import a file, write its record, and leave what was imported in the spool for its page."""
    path, spool, record_file = task
    imported, failure = pool.read_one(path)
    if imported is None:
        return None, failure
    record = imported.record
    record_file.write_text(yamlfile.dump(record), encoding="utf-8")
    spool.write_bytes(pickle.dumps(imported))
    cells = sorted((table, row, column, number(value)) for table, rows in record.tables.items()
                   for row, columns in rows.items() for column, value in columns.items())  # in any reader's order
    content = hashlib.sha256(repr((record.edition, cells, record.agency, record.signed_by,
                                   record.date)).encode()).hexdigest()
    return Read(record.agency, record.year, record.edition, record.spec.name, imported.kind, len(imported.notes),
                content), ""


@dataclass
class _Check:
    """What a worker needs to check one report and write its page."""
    entry: Entry
    spool: Path | None             # the report as imported
    previous: Path | None          # its agency's year before, as imported
    children: list[tuple[Path, Path | None, str]]  # a parent's: (file, imported or None, why not)
    names: dict[Path, str]         # the children's page names
    folder: Path
    out: Path
    today: dt.date | None
    peers: list = field(default_factory=list)  # its findings against the folder's other reports


def _check_task(task: _Check) -> Entry:
    """The entry with its findings (and a parent's reconciliation), its page written."""
    entry = task.entry
    imported = _load(task.spool)
    try:
        if imported and not entry.duplicate_of:
            previous = _load(task.previous)
            found = [*imported.notes, *checks.check(imported.record, previous.record if previous else None,
                                                    today=task.today, unread=imported.unread,
                                                    layout=imported.kind, title=imported.title), *task.peers]
            entry.findings = sorted([*found, *entry.findings], key=lambda f: f.severity != "error")
        if imported and task.children:
            entry.reconciliation = reconcile.compare(imported.record, reconcile.children(task.folder, [
                (file, _load(spool).record if spool else None, failure) for file, spool, failure in task.children]))
            found = [*reconcile.findings(entry.reconciliation, imported.record), *entry.findings]
            entry.findings = sorted(found, key=lambda f: f.severity != "error")
    except MemoryError:
        entry.failure = f"{entry.file}: {limits.out_of_memory('核查此报告')}"
    except Exception as error:  # a rule no report foresaw must not stop the others
        entry.failure = f"{entry.file}: 核查时出错：{type(error).__name__}: {error}"
    _write_page(task, imported)
    if entry.reconciliation:  # the children's records were for its page: only their names go back
        entry.reconciliation = replace(entry.reconciliation,
                                       children=[replace(c, record=None) for c in entry.reconciliation.children])
    return entry


def _load(spool: Path | None) -> importer.Imported | None:
    return pickle.loads(spool.read_bytes()) if spool else None


def _write_page(task: _Check, imported: importer.Imported | None = None) -> None:
    entry = task.entry
    record = imported.record if imported else None
    review, sections = "", []
    if record:  # the report as read, its cells marked with their findings
        marks = html.cell_marks(entry.findings)
        review = pages.review(record, entry.findings)
        sections = [html.section(section, marks) for section in build.sections(record)]
    page = pages.render("audit/report.html.j2", entry=entry, imported=imported, record=record,
                        style=pages.stylesheet(review=True), source=entry.file.relative_to(task.folder), names=task.names,
                        number=number, review=review, sections=sections)
    (task.out / entry.page).write_text(page, encoding="utf-8")


def _name_duplicates(entries: list[Entry], folder: Path) -> None:
    """Each report read a second time (the same report as HTML and as PDF) names the file read
    first, in name order; it is not checked again. The same agency, year, edition and tables,
    and the same signature and date, make the same report."""
    first: dict[tuple, Path] = {}
    for entry in sorted(entries, key=lambda e: e.file):
        if not entry.read or not entry.read.agency:
            continue
        key = (fold(entry.read.agency), entry.read.year, entry.read.content)
        if key in first:
            entry.duplicate_of = first[key].relative_to(folder)
        else:
            first[key] = entry.file


def _compare_copies(entries: list[Entry], spool: dict[Path, Path], folder: Path) -> None:
    """The files of each report (copies.py) compared, read back one group at a time: each gets
    the findings where it and the others disagree."""
    by_file = {e.file: e for e in entries if e.read}
    for group in copies.groups([(file, e.read.agency, e.read.year) for file, e in by_file.items()]):
        imported = {file: _load(spool[file]) for file in group}
        found = copies.compare({file: i.record for file, i in imported.items()}, folder,
                               {file: i.notes for file, i in imported.items()})
        for file, findings in found.items():
            by_file[file].findings.extend(findings)


def _children(entries: list[Entry], folder: Path, hierarchy: reconcile.Hierarchy | None,
              by_folder: bool) -> dict[Path, list[tuple[Path, Entry]]]:
    """Each parent's children, each with its entry. By folder, a 人民政府 report that cannot be
    told from another of its folder and year gets a warning instead."""
    by_file = {e.file: e for e in entries}
    if by_folder:  # the folders need each report's agency and year only, which a Read has
        hierarchy, ambiguous = reconcile.by_folder(folder, [(e.file, e.read) for e in entries])
        for file, warning in ambiguous.items():
            by_file[file].findings.append(warning)
    return {parent: [(file, by_file[file]) for file in below]
            for parent, below in hierarchy.items() if by_file[parent].read}  # else its entry says why


def _write(entries: list[Entry], folder: Path, out: Path, reconciling: bool, originals: watch.Watch) -> None:
    summary = report_counts((True, e.errors, e.warnings) for e in entries  # a failure counts as an error
                            if not e.skipped and not e.duplicate_of)
    (out / "index.html").write_text(pages.render("audit/index.html.j2", entries=entries, summary=summary,
                                                 folder=folder, reconciling=reconciling, originals=originals,
                                                 watch=watch), encoding="utf-8")
    with (out / "audit.csv").open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_HEADER)
        for e in entries:
            read = e.read
            writer.writerow([safe_cell(str(value)) for value in (
                e.file.relative_to(folder), read.edition if read else "", read.agency if read else "",
                read.year if read else "", e.errors, e.warnings, e.unread, e.page, e.status)])
    if reconciling:
        _write_differences(entries, folder, out / "reconcile.csv")
    _write_disagreements(entries, folder, out / "copies.csv")


def _write_differences(entries: list[Entry], folder: Path, path: Path) -> None:
    """One row per cell a parent published that its children's sum contradicts."""
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(RECONCILE_HEADER)
        for e in entries:
            if not e.reconciliation:
                continue
            for cell in e.reconciliation.differences:
                writer.writerow([safe_cell(str(value)) for value in (
                    e.file.relative_to(folder), e.read.agency, e.read.year, cell.table, cell.row, cell.column,
                    format_value(cell.published), format_value(cell.total), reconcile.values(cell))])


def _write_disagreements(entries: list[Entry], folder: Path, path: Path) -> None:
    """One row per file and cell or field where the files of one report disagree (copies.py):
    its value, and the other files' (the header alone when they all agree)."""
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COPIES_HEADER)
        for e in sorted(entries, key=lambda e: e.file):
            for f in e.findings:
                if f.rule in copies.rules():
                    writer.writerow([safe_cell(str(value)) for value in (
                        e.file.relative_to(folder), e.read.agency, e.read.year, f.table, f.row, f.column, f.part,
                        f.found, f.expected)])


def _page_names(paths: list[Path], folder: Path) -> dict[Path, str]:
    """A page name per file: its stem; with its folders when two files share a stem; with its
    suffix too when they also share a folder (the page, Word file and PDF of one report)."""
    def name(path: Path, suffix: bool) -> str:
        relative = path.relative_to(folder)
        return "_".join((relative if suffix else relative.with_suffix("")).parts)

    stems = Counter(path.stem for path in paths)
    paths_without_suffix = Counter(name(path, False) for path in paths)
    return {path: path.stem if stems[path.stem] == 1 else name(path, paths_without_suffix[name(path, False)] > 1)
            for path in paths}
