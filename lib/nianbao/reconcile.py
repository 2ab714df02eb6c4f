"""Reconciling what was published: a government's tables against the sum of its departments'.

A county-or-above government publishes a report whose tables add up those of the agencies under
it (consolidation.py builds such a report; this checks one already published). The audit is told
which of the reports it read are parents of which, as a hierarchy: plain data,

    {Path("folder/city.txt"): [Path("folder/a.txt"), Path("folder/b.txt")], …}

each parent file mapped to its children's files, paths as the audit found them. It comes from
one of two places:

- a YAML file (`hierarchy`), parent file to the list of its children's files, paths relative to
  the audited folder; a child may be a parent in turn (a city over counties over departments):

      city.txt: [county-a.txt, county-b.txt, city-dept-1.txt]
      county-a.txt: [county-a/dept-1.txt, county-a/dept-2.txt]

- the folders (`by_folder`): the one report of a folder whose agency is a 人民政府 is the parent
  of that folder's other reports of its year, and of the 人民政府 reports (of that year) of its
  immediate subfolders. Two such reports of one year in one folder are ambiguous: a warning.

Each parent is then compared cell by cell with the sum of its children's published tables, in
the parent's edition (`compare`): a cell both know and that differs is a difference; a cell the
parent left blank, or a child left blank, cannot be checked and is listed apart, naming the
children blank there. A child that could not be imported, is of another year, or is of an
edition that cannot be mapped is left out of the sum, with its reason, and the sum is then
incomplete.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath

import yaml

from . import consolidation, yamltext
from .checks.findings import Finding, at, number, same
from .errors import NianbaoError, reason
from .record import Record, Value

Hierarchy = dict[Path, list[Path]]  # parent file → its children's files
RULE = "汇总.逐格核对"                # a cell the parent published that its children's sum contradicts
AMBIGUOUS = "汇总.上级不明"           # a folder with two 人民政府 reports of one year
GOVERNMENT = "人民政府"


class HierarchyError(NianbaoError, ValueError):
    """A hierarchy file that cannot be used; the message names the file and the entry."""


@dataclass
class Child:
    file: Path
    name: str              # what the comparison calls it: its agency, or its file
    record: Record | None  # None when it could not be imported
    reason: str = ""       # why it is left out of the sum; "" when it is summed


@dataclass
class Cell:
    """One cell of the parent's tables, compared."""
    table: str
    row: str
    column: str
    published: Value                  # the parent's value
    total: Value                      # the sum of the children's values
    values: list[tuple[str, Value]]   # (child, its value) for each summed child
    blank: list[str]                  # the children blank there


@dataclass
class Reconciliation:
    children: list[Child]
    differences: list[Cell]  # both known, and not the same
    unknown: list[Cell]      # the parent or a child blank: cannot be checked

    @property
    def summed(self) -> list[Child]:
        return [child for child in self.children if not child.reason]

    @property
    def complete(self) -> bool:
        return len(self.summed) == len(self.children)

    @property
    def summary(self) -> str:
        """`核对下级 3 份：2 处不一致，无法核对 4 格；1 份下级报告未计入，下级之和不完整`."""
        words = f"核对下级 {len(self.children)} 份：{len(self.differences)} 处不一致"
        if self.unknown:
            words += f"，无法核对 {len(self.unknown)} 格"
        if not self.complete:
            words += f"；{len(self.children) - len(self.summed)} 份下级报告未计入，下级之和不完整"
        return words


def read_hierarchy(path: Path, folder: Path, reports: list[Path]) -> Hierarchy:
    """The hierarchy a YAML file declares over `reports`, the files the audit of `folder` reads."""
    try:
        data = yamltext.load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise HierarchyError(f"{path}：无法读取上下级关系文件：{reason(error)}") from None
    except UnicodeDecodeError:
        raise HierarchyError(f"{path}：上下级关系文件应为 UTF-8 文本") from None
    except yaml.YAMLError as error:
        raise HierarchyError(f"{path}：不是有效的 YAML：{error}") from None
    if not isinstance(data, dict) or not data:
        raise HierarchyError(f"{path}：应为上级报告文件到其下级报告文件列表的映射，"
                             f"如“市政府.txt: [甲局.txt, 乙局.txt]”（路径相对于 {folder}）")
    known = {p.relative_to(folder).as_posix(): p for p in reports}

    def report(name, entry: str) -> Path:
        relative = PurePosixPath(name).as_posix() if isinstance(name, str) else None
        if relative not in known:
            raise HierarchyError(f"{path}：条目“{entry}”：“{name}”不是 {folder} 中要核查的报告文件"
                                 f"（路径相对于该目录，如“{next(iter(known), '报告.txt')}”）")
        return known[relative]

    hierarchy: Hierarchy = {}
    for key, names in data.items():
        parent = report(key, key)
        if parent in hierarchy:
            raise HierarchyError(f"{path}：条目“{key}”：这份报告已作为上级列出过一次")
        if not isinstance(names, list) or not names:
            raise HierarchyError(f"{path}：条目“{key}”：下级应为报告文件的列表，实为 {names!r}")
        children = [report(name, key) for name in names]
        twice = sorted({child.relative_to(folder).as_posix() for child in children if children.count(child) > 1})
        if twice:
            raise HierarchyError(f"{path}：条目“{key}”：下级“{'、'.join(twice)}”列出不止一次")
        hierarchy[parent] = children
    cycle = _cycle(hierarchy)
    if cycle:
        raise HierarchyError(f"{path}：上下级关系成环：{' → '.join(p.relative_to(folder).as_posix() for p in cycle)}")
    return hierarchy


def _cycle(hierarchy: Hierarchy) -> list[Path]:
    """A path of parents that comes back to where it started, or []."""
    done: set[Path] = set()

    def walk(file: Path, trail: list[Path]) -> list[Path]:
        if file in trail:
            return [*trail[trail.index(file):], file]
        if file in done:
            return []
        for child in hierarchy.get(file, []):
            found = walk(child, [*trail, file])
            if found:
                return found
        done.add(file)
        return []

    for parent in hierarchy:
        found = walk(parent, [])
        if found:
            return found
    return []


def by_folder(folder: Path, reports: list[tuple[Path, Record | None]]) -> tuple[Hierarchy, dict[Path, Finding]]:
    """The hierarchy the folders say, and a warning for each 人民政府 report that shares its
    folder and year with another one (which of them adds up the others cannot be told).

    A report that could not be imported (no record) has no year: it is a child of every
    parent of its folder, so that their sums say they may lack it."""
    governments: dict[tuple[Path, int], list[Path]] = {}
    for file, record in reports:
        if record and record.agency.endswith(GOVERNMENT):
            governments.setdefault((file.parent, record.year), []).append(file)
    ambiguous = {}
    for (where, year), files in governments.items():
        if len(files) > 1:
            names = "、".join(f.relative_to(folder).as_posix() for f in files)
            for file in files:
                ambiguous[file] = Finding(
                    rule=AMBIGUOUS, severity="warning",
                    message=f"目录“{where.relative_to(folder).as_posix()}”中有 {len(files)} 份 {year} 年度"
                            f"人民政府的报告（{names}），按目录无法确定哪一份汇总其余报告，未与下级报告核对")
    parents = {key: files[0] for key, files in governments.items() if len(files) == 1}
    hierarchy: Hierarchy = {}
    for (where, year), parent in parents.items():
        hierarchy[parent] = [file for file, record in reports if file != parent and (
            (file.parent == where and (record is None or record.year == year))
            or (file.parent.parent == where and parents.get((file.parent, year)) == file))]
    return {parent: children for parent, children in hierarchy.items() if children}, ambiguous


def children(folder: Path, reports: list[tuple[Path, Record | None, str]]) -> list[Child]:
    """(file, record or None, why it could not be imported) as children, each named by its
    agency; by its file where it has none or shares it with another child."""
    names = [record.agency if record and record.agency else "" for _, record, _ in reports]
    return [Child(file, name if name and names.count(name) == 1 else file.relative_to(folder).as_posix(),
                  record, failure)
            for (file, record, failure), name in zip(reports, names)]


def compare(record: Record, given: list[Child]) -> Reconciliation:
    """The parent's published tables against the sum of its children's, cell by cell."""
    edition = record.spec
    found, mapped = [], []  # mapped: (child, its cells in the parent's edition) for each summed child
    for child in given:
        if child.record is None:
            found.append(child)  # its reason is why it could not be imported
            continue
        if child.record.year != record.year:
            found.append(replace(child, reason=f"年度为 {child.record.year}，与上级报告的 {record.year} 年度不同"))
            continue
        try:
            mapped.append((child.name, consolidation.cells(child.record, edition)))
        except consolidation.Refused as refused:
            found.append(replace(child, reason=str(refused)))
            continue
        found.append(child)
    result = Reconciliation(found, [], [])
    if not mapped:
        return result  # nothing to add up: every cell would be unknown
    total = consolidation.summed(edition, [(c.name, c.record) for c in result.summed])
    for table_id, table in edition.tables.items():
        for row, column in table.cells():
            key = (table_id, row, column)
            cell = Cell(table_id, row, column, record.value(*key), total.tables[table_id][row][column],
                        [(name, cells[key]) for name, cells in mapped], total.blanks.get(key, []))
            if cell.published is None or cell.total is None:
                result.unknown.append(cell)
            elif not same(cell.published, cell.total):
                result.differences.append(cell)
    return result


def findings(result: Reconciliation, record: Record) -> list[Finding]:
    """An error on the parent for each difference, naming the cell and every child's value."""
    missing = [child.name for child in result.children if child.reason]
    lacking = f"；另有 {len(missing)} 份下级报告未计入：{'、'.join(missing)}" if missing else ""
    return [Finding(rule=RULE, severity="error", table=cell.table, row=cell.row, column=cell.column,
                    message=f"{record.spec.tables[cell.table].name}{at(cell.row, cell.column)}："
                            f"本级公布 {number(cell.published)}，下级报告之和 {number(cell.total)}"
                            f"（{values(cell)}）{lacking}",
                    expected=number(cell.total), found=number(cell.published))
            for cell in result.differences]


def values(cell: Cell) -> str:
    """Each child's value: `淮安市人民政府 3119、淮安市洪泽区人民政府 95`."""
    return "、".join(f"{name} {number(value)}" for name, value in cell.values)
