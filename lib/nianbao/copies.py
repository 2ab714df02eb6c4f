"""The same report published in several files: an office puts out the page, a Word file and a PDF
of one report, and an evaluator cites it when they disagree.

`groups` finds the files of one report among those an audit read: the same agency (folded) and
year, or the same name but for its suffix in one folder and the same year (so that a file whose
agency is printed otherwise still joins its page). `compare` reads every cell and the fields that
matter (the agency as printed, the dates) of each file of a group and, where the files disagree,
gives each file a finding of its edition's `copies` rule (checks/ judges nothing of it on one
record) naming the table, row, column and every file's value. A value a file does not state (a
date the PDF leaves out) is no disagreement, nor is a cell its import could not read for certain:
one its notes name by row, or a blank of a file whose notes name no table (a scan's uncertain
cells are left blank and located by page only), for the importer, not the office, may be wrong.
"""
from __future__ import annotations

import functools
from collections import defaultdict
from pathlib import Path

from . import editions
from .checks.findings import Finding, at, finding, number
from .labels import fold
from .record import Record

KIND = "copies"
SHOWN = 3  # files named for one value; more are counted


@functools.cache
def rules() -> frozenset[str]:
    """The ids of the editions' rules of this kind."""
    return frozenset(rule["id"] for edition_id in editions.available() for rule in editions.load(edition_id).rules
                     if rule["kind"] == KIND)


def groups(reports: list[tuple[Path, str, int]]) -> list[list[Path]]:
    """The groups of two files or more among (file, agency, year), in name order: files joined
    by agency and year, or by folder, name and year, and by either through a third."""
    parent: dict[Path, Path] = {}

    def root(file: Path) -> Path:
        while parent[file] != file:
            parent[file] = parent[parent[file]]
            file = parent[file]
        return file

    first: dict[tuple, Path] = {}
    for file, agency, year in sorted(reports):
        parent[file] = file
        for key in (("agency", fold(agency), year) if agency else None, ("name", file.with_suffix(""), year)):
            if key is None:
                continue
            if key in first:
                parent[root(file)] = root(first[key])
            else:
                first[key] = file
    joined = defaultdict(list)
    for file in sorted(parent):
        joined[root(file)].append(file)
    return [files for files in joined.values() if len(files) > 1]


def compare(records: dict[Path, Record], folder: Path,
            notes: dict[Path, list[Finding]] | None = None) -> dict[Path, list[Finding]]:
    """Each file's findings where the files of one report (`records`, by file) disagree: on a
    field of its rule, or on a cell, among the files read in its edition (one read in another
    edition disagrees on the edition, and its cells are not compared), leaving out the cells
    each file's import `notes` say could not be read for certain. Files are named relative to
    `folder`."""
    names = {file: file.relative_to(folder).as_posix() for file in records}
    unsure = {file: _unsure(found) for file, found in (notes or {}).items()}
    found: dict[Path, list[Finding]] = defaultdict(list)
    for file, record in records.items():
        rule = next((r for r in record.spec.rules if r["kind"] == KIND), None)
        if rule is None:
            continue
        fields = {"edition": "格式版本", **rule["fields"]}
        for field, label in fields.items():
            values = {other: getattr(r, field) for other, r in records.items() if getattr(r, field)}
            if getattr(record, field) and len(set(values.values())) > 1:
                found[file].append(finding(rule, rule["message"].format(what=label, values=_values(values, names)),
                                           part=field, expected=_others(values, file, names),
                                           found=values[file]))
        same_edition = {other: r for other, r in records.items() if r.edition == record.edition}
        for table_id, rows in record.tables.items():
            table = record.spec.tables[table_id]
            for row, columns in rows.items():
                for column in columns:
                    values = {other: r.tables[table_id][row][column] for other, r in same_edition.items()
                              if not unsure.get(other, _sure)(table_id, row, column, r.tables[table_id][row][column])}
                    if file in values and len(set(map(number, values.values()))) > 1:
                        shown = {other: number(value) for other, value in values.items()}
                        found[file].append(finding(
                            rule, rule["message"].format(what=f"{table.name}{at(row, column)}",
                                                         values=_values(shown, names)),
                            table=table_id, row=row, column=column, expected=_others(shown, file, names),
                            found=shown[file]))
    return dict(found)


def _unsure(notes: list[Finding]):
    """Whether a cell (table, row, column, value) is one the import notes leave in doubt."""
    rows = {(n.table, n.row): n.column for n in notes if n.table and n.row}
    blanks = any(not n.table and not n.part for n in notes)

    def unsure(table: str, row: str, column: str, value) -> bool:
        return rows.get((table, row)) in ("", column) or value is None and blanks
    return unsure


def _sure(table: str, row: str, column: str, value) -> bool:
    return False


def _values(values: dict[Path, str], names: dict[Path, str]) -> str:
    """`a.html、a.docx 为 5，a.pdf 为 6`: each value once, with the files that hold it."""
    holders = defaultdict(list)
    for file, value in values.items():
        holders[value].append(names[file])
    said = []
    for value, files in holders.items():
        more = f"等 {len(files)} 个文件" if len(files) > SHOWN else ""
        said.append(f"{'、'.join(files[:SHOWN])}{more} 为“{value}”")
    return "，".join(said)


def _others(values: dict[Path, str], file: Path, names: dict[Path, str]) -> str:
    """What the other files of the report hold, for the finding's `expected`."""
    return "；".join(f"{names[other]}：{value}" for other, value in values.items() if other != file)
