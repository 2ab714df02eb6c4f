"""A government's report: its tables summed, cell by cell, over the reports it covers.

A county-or-above government publishes the report of the government as a whole (条例第四十九
条), whose tables add up its departments' (and, where the local notice says so, its towns' and
districts'). The batch reads the government's params file and hands its template the scope as
plain data (batch/jobs.py): one mapping a covered unit,

    {"id": "shili-jtysj", "name": "", "params": "params/2023/shili-jtysj.yaml",
     "folder": "2023/shili-jtysj", "record": "/…/data/2023/shili-jtysj.yaml",
     "problem": "", "missing": False, "covers": []}

where `covers` is the unit's own scope when it is a government in turn (a county within a
city). `consolidate` reads every unit, checks it, and sums what could be read into the
government's record:

- A blank cell is unknown, never 0: one blank in any unit makes the sum's cell blank, and
  `Sum.blanks` names the units it came from.
- A unit of another edition is mapped the way the history charts map editions: each cell of
  the government's edition adds up the cells at or under the same label path in the unit's
  edition (2021's three （六） sub-rows give 2021-single-six's single row). Where the unit's
  edition has no such cell, the unit is refused and the reason names the cells it lacks.
- A unit that cannot be read, is refused or has no record for the year is left out of the sum;
  the government's findings say so (checks' `coverage` kind), and its appendix lists every
  unit with its status.
- A unit the scope reaches a second time (`"duplicate": True`, see batch/scope.py) is never
  summed again: its status says where it counts, and the findings name both paths (checks'
  `duplicates` kind).
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from . import checks, editions, intake
from .record import STATUSES, Record, Value, blank_tables

Cell = tuple[str, str, str]  # (table, row, column)


@dataclass
class Unit:
    """One covered agency-year, as the government's report saw it."""
    id: str
    name: str = ""        # the agency's name, from its record when it could be read
    params: str = ""      # its params file, as the person names it
    folder: str = ""      # its report folder under the output folder (<year>/<name>)
    status: str = ""      # a key of STATUSES
    errors: int = 0       # its errors, as checked for this sum
    rules: list[str] = field(default_factory=list)  # the rules those errors break
    warned: list[str] = field(default_factory=list)  # the rules its warnings come from
    reason: str = ""      # why it is missing or could not be summed; for a duplicate, the
                          # path to where it counts (`示例市人民政府 → 示例县人民政府 → 示例市交通运输局`)
    units: list[Unit] = field(default_factory=list)  # what it covers in turn

    @property
    def label(self) -> str:
        return self.name or self.id

    @property
    def said(self) -> str:
        """Its status in words, with its errors counted: `已汇总，有错误（2 个）`."""
        return STATUSES[self.status] + (f"（{self.errors} 个）" if self.status == "errors" else "")

    @property
    def included(self) -> bool:
        return self.status in ("clean", "errors")

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Unit:
        return cls(**{**data, "units": [cls.from_dict(unit) for unit in data.get("units", [])]})


@dataclass
class Coverage:
    """What a government's report covers: its units, and the cells their blanks left unknown."""
    units: list[Unit]
    blanks: dict[Cell, list[str]] = field(default_factory=dict)  # cell → the units blank there
    own: bool = False  # the government's own office's numbers are in the sum too

    def counts(self) -> dict[str, int]:
        return {status: sum(unit.status == status for unit in self.units) for status in STATUSES}

    def summary(self) -> str:
        """Coverage in one line: `涵盖 5 个单位：已汇总 4（有错误 1），缺失 1`; a unit listed
        twice is one unit, the second listing said apart (`重复列入 1`)."""
        counts = self.counts()
        included = counts["clean"] + counts["errors"]
        words = [f"已汇总 {included}" + (f"（有错误 {counts['errors']}）" if counts["errors"] else "")]
        words += [f"缺失 {counts['missing']}"] * bool(counts["missing"])
        words += [f"未能汇总 {counts['failed']}"] * bool(counts["failed"])
        words += [f"重复列入 {counts['duplicate']}（不重复汇总）"] * bool(counts["duplicate"])
        return f"涵盖 {len(self.units) - counts['duplicate']} 个单位：" + "，".join(words)

    def paths(self) -> list[tuple[list[Unit], Unit]]:
        """(the units above it, unit) for every unit, those a unit covers in turn after it."""
        found = []

        def add(units: list[Unit], above: list[Unit]) -> None:
            for unit in units:
                found.append((above, unit))
                add(unit.units, [*above, unit])

        add(self.units, [])
        return found

    def lines(self) -> list[tuple[int, int, Unit]]:
        """(number, depth, unit) for every unit, those a unit covers in turn under it: the
        appendix's lines."""
        return [(number, len(above), unit) for number, (above, unit) in enumerate(self.paths(), 1)]

    def blank_tables(self) -> dict[str, tuple[int, list[str]]]:
        """For each table with cells the sum cannot know: how many, and the units blank there."""
        found: dict[str, tuple[int, list[str]]] = {}
        for (table, _, _), names in self.blanks.items():
            count, units = found.get(table, (0, []))
            found[table] = (count + 1, [*units, *(name for name in names if name not in units)])
        return found

    def to_dict(self) -> dict:
        return {"summary": self.summary(), "counts": self.counts(), "own": self.own,
                "units": [unit.to_dict() for unit in self.units],
                "blanks": [{"table": t, "row": r, "column": c, "units": names}
                           for (t, r, c), names in self.blanks.items()]}

    @classmethod
    def from_dict(cls, data: dict) -> Coverage:
        """Coverage from its payload (checks.json): for the Word file and the index."""
        return cls([Unit.from_dict(unit) for unit in data["units"]],
                   {(b["table"], b["row"], b["column"]): b["units"] for b in data.get("blanks", [])},
                   data.get("own", False))


class Refused(ValueError):
    """A unit whose tables cannot be summed into the government's edition."""


def consolidate(own: Record, covers: list[dict], *, today=None) -> tuple[Record, Coverage]:
    """The government's record with its tables summed over the units it covers (and its own
    office's numbers, when its record has any), and what it covers."""
    record, coverage = _consolidate(own, covers, today)
    # Where each duplicate counts, by name: only the whole tree, read, has every name.
    counted = {unit.id: (above, unit) for above, unit in coverage.paths() if unit.status != "duplicate"}
    for _, unit in coverage.paths():
        if unit.status == "duplicate" and unit.id in counted:
            above, first = counted[unit.id]
            unit.name = first.name or unit.name
            unit.reason = " → ".join([own.agency, *(u.label for u in above), first.label])
    return record, coverage


def _consolidate(own: Record, covers: list[dict], today) -> tuple[Record, Coverage]:
    units, records = [], []
    for declared in covers:
        unit, record = _read(declared, own, today)
        units.append(unit)
        if record is not None:
            records.append((unit.label, record))
    reports_own = not _blank(own)  # the government reports its own office's numbers as well
    if reports_own:
        records.insert(0, (f"{own.agency}（本机关）", own))
    total = summed(own.spec, records)
    record = replace(own, tables=total.tables, covers=[unit.id for unit in units if unit.status != "duplicate"])
    return record, Coverage(units, total.blanks, reports_own)


@dataclass
class Sum:
    tables: dict[str, dict[str, dict[str, Value]]]
    blanks: dict[Cell, list[str]]  # cell → the names of the reports blank there


def summed(edition: editions.Edition, records: list[tuple[str, Record]]) -> Sum:
    """Tables of `edition`, each cell the sum of that cell over the named records; blank where
    any of them is blank (and then named in `blanks`), or where there are no records at all.
    Records of another edition are mapped (`cells`); one that cannot be raises Refused."""
    tables = blank_tables(edition)
    blanks: dict[Cell, list[str]] = {}
    mapped = [(name, cells(record, edition)) for name, record in records]
    for table_id, rows in tables.items():
        for row, columns in rows.items():
            for column in columns:
                cell = (table_id, row, column)
                values = [(name, values[cell]) for name, values in mapped]
                unknown = [name for name, value in values if value is None]
                if unknown:
                    blanks[cell] = unknown
                elif values:
                    columns[column] = _add([value for _, value in values])
    return Sum(tables, blanks)


def cells(record: Record, edition: editions.Edition) -> dict[Cell, Value]:
    """Every cell of `edition`'s tables, from a record of that edition or of another one."""
    if record.edition == edition.id:
        return {(t, r, c): record.value(t, r, c) for t, table in edition.tables.items() for r, c in table.cells()}
    theirs, found, lacking = record.spec, {}, []
    for table_id, table in edition.tables.items():
        source = theirs.tables.get(table_id)
        for row, column in table.cells():
            parts = [(r, c) for r in (source.select_rows([row]) if source else [])
                     for c in source.select_columns(r, [column])]
            if not parts:
                lacking.append(f"表{table_id}“{row}”行“{column}”列")
                continue
            values = [record.value(table_id, r, c) for r, c in parts]
            found[(table_id, row, column)] = None if None in values else _add(values)
    if lacking:
        raise Refused(f"格式版本为“{theirs.name}”，与本报告的“{edition.name}”不同，"
                      f"有 {len(lacking)} 个单元格无法对应（如{'、'.join(lacking[:2])}），不能逐格相加")
    return found


def _add(values: list) -> Value:
    if all(isinstance(value, int) for value in values):
        return sum(values)
    return round(math.fsum(values), 6)  # amounts in 万元: no float noise in the sum


def _blank(record: Record) -> bool:
    return all(value is None for table in record.tables.values() for row in table.values() for value in row.values())


def _read(declared: dict, government: Record, today) -> tuple[Unit, Record | None]:
    """A covered unit, checked, and its record when it can be summed."""
    unit = Unit(id=declared["id"], name=declared.get("name", ""), params=declared.get("params", ""),
                folder=declared.get("folder", ""))
    if declared.get("duplicate"):  # counted where the scope reaches it first (batch/scope.py)
        return replace(unit, status="duplicate"), None
    if declared.get("missing"):
        return replace(unit, status="missing", reason=declared.get("problem", "")), None
    if declared.get("problem"):
        return replace(unit, status="failed", reason=declared["problem"]), None
    try:
        record = intake.read(declared["record"], year=government.year)
    except intake.IntakeError as error:
        said = "；".join(f"{problem.where}: {problem.message}" for problem in error.problems)
        return replace(unit, status="failed", reason=f"记录 {_shown(error.source)} 无法读取：{said}"), None
    if not record.spec.tables:
        return replace(unit, name=record.agency, status="failed",
                       reason=f"“{record.spec.name}”没有统计表格，不是年度报告"), None
    coverage = None
    if declared.get("covers"):
        record, coverage = _consolidate(record, declared["covers"], today)
        unit.units = coverage.units
    unit.name = record.agency
    try:
        cells(record, government.spec)
    except Refused as refused:
        return replace(unit, status="failed", reason=str(refused)), None
    previous = None
    if declared.get("previous"):
        try:
            previous = intake.read(declared["previous"], year=record.year - 1)
        except intake.IntakeError:  # its own report warns of it; here it only traces the carry-over
            previous = None
    found = checks.check(record, previous, today=today, coverage=coverage)
    errors = [f for f in found if f.severity == "error"]
    unit.errors, unit.rules = len(errors), sorted({f.rule for f in errors})
    unit.warned = sorted({f.rule for f in found if f.severity == "warning"})
    unit.status = "errors" if errors else "clean"
    return unit, record


def _shown(path: str) -> str:
    """A record's path as a published report may print it: relative to the project folder, in
    which the report is made; the file's name alone when it lies outside (a folder the command
    line allowed). Never the server's absolute path."""
    path, project = Path(path).resolve(), Path.cwd().resolve()
    return str(path.relative_to(project)) if path.is_relative_to(project) else path.name


def attribute(findings: list, coverage: Coverage, edition: editions.Edition) -> list:
    """The government's findings about its tables, each naming the covered units it comes
    from: a blank sum the units blank there, a broken rule the units breaking the same rule."""
    blank_in = {table: names for table, (_, names) in coverage.blank_tables().items()}
    blank_rules = {rule["id"] for rule in edition.rules if rule["kind"] == "blank"}
    attributed = []
    for found in findings:
        if not found.table or found.rule.startswith("汇总."):
            attributed.append(found)
            continue
        if found.rule in blank_rules:
            names = blank_in.get(found.table, [])
            why = "汇总数空白（未知），因下列单位的报告在这些单元格空白"
        else:
            names = [unit.label for unit in coverage.units if found.rule in (*unit.rules, *unit.warned)]
            why = "下列单位的报告同一规则有误"
        if names:
            found = replace(found, message=f"{found.message}（{why}：{'、'.join(names)}）")
        attributed.append(found)
    return attributed
