"""Intake: turn what an agency hands in (YAML, an Excel workbook) into a Record.

Each reader finds the raw fields and where they stand (a YAML field path, a sheet and cell);
`build` turns them into a Record with one set of rules for every reader, so that two routes
holding the same content give equal records. Every problem found is collected and raised
together as an IntakeError that names the file, the place and what was expected.

Readers are registered by file suffix; other packages add theirs through the entry point
group ``nianbao.readers`` (name: the suffix, object: a function ``read(path) -> Record``).
"""
from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from .. import dates, editions
from ..record import FIELDS, Record, blank_tables


@dataclass(frozen=True)
class Problem:
    where: str    # `表三!D12`, `tables.三.一、本年新收政府信息公开申请数量`, `year`, or a sheet
    message: str  # what was found and what was expected, in Chinese


class IntakeError(ValueError):
    def __init__(self, source, problems: list[Problem]):
        self.source = str(source)
        self.problems = list(problems)
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(f"{self.source}: {p.where}: {p.message}" for p in self.problems)


@dataclass(frozen=True)
class Raw:
    """One value as a reader found it, with its place for messages."""
    value: object
    where: str


@functools.cache  # entry points do not change while a process runs
def _readers() -> dict:
    from . import yamlfile

    found = {".yaml": yamlfile.read, ".yml": yamlfile.read, ".xlsx": _read_workbook}
    for entry in metadata.entry_points(group="nianbao.readers"):
        found.setdefault(entry.name, entry.load())
    return found


def _read_workbook(path: Path) -> Record:
    from . import excel  # here: openpyxl takes 0.3 s to import, and most records are YAML

    return excel.read(path)


def read(path, *, year: int | None = None, agency_id: str | None = None) -> Record:
    """Read one agency-year; `year` and `agency_id`, when given, are what it must declare."""
    path = Path(path)
    readers = _readers()
    reader = readers.get(path.suffix.lower())
    if reader is None:
        raise IntakeError(path, [Problem("文件类型", f"无法读取 {path.suffix or '无扩展名'} 文件，"
                                             f"应为 {'、'.join(readers)} 之一")])
    if not path.is_file():
        raise IntakeError(path, [Problem("文件", "文件不存在")])
    record = reader(path)
    wrong = []
    if year is not None and record.year != int(year):
        wrong.append(Problem("year（年度）", f"应为 {year}，实为 {record.year}"))
    if agency_id is not None and record.agency_id != agency_id:
        wrong.append(Problem("agency_id（机关代码）", f"应为 {agency_id}，实为 {record.agency_id}"))
    if wrong:
        raise IntakeError(path, wrong)
    return record


REQUIRED = ("agency", "year", "date")
YEARS = (1990, 2100)  # the report years a record may declare


def build(source: Path, meta: dict[str, Raw], parts: dict[str, Raw],
          cells: dict[tuple[str, str, str], Raw], problems: list[Problem]) -> Record:
    """The Record from a reader's raw fields; raise IntakeError listing every problem.

    `cells` holds values already placed on official (table, row, column) labels;
    `problems` brings what the reader itself found wrong (unknown labels, a missing sheet).
    """
    problems = list(problems)
    for name in REQUIRED:
        if name not in meta or meta[name].value in (None, ""):
            where = meta[name].where if name in meta else name
            problems.append(Problem(where, f"缺少必填字段“{FIELDS[name]}”（{name}）"))
    year = _year(meta.get("year"), problems)
    edition = _edition(meta.get("edition"), year, problems)
    if problems and edition is None:
        raise IntakeError(source, problems)

    tables = blank_tables(edition) if edition else {}
    for (table_id, row, column), raw in cells.items():
        kind = edition.tables[table_id].column(row, column).kind
        value, error = coerce(kind, raw.value)
        if error:
            problems.append(Problem(raw.where, error))
        tables[table_id][row][column] = value

    known = set(edition.narrative_parts) if edition else set()
    for part_id, raw in parts.items():
        if part_id not in known:
            problems.append(Problem(raw.where, f"未知的正文部分“{part_id}”，应为 {'、'.join(sorted(known))} 之一"))
        elif raw.value is not None and not isinstance(raw.value, str):
            problems.append(Problem(raw.where, "正文应为文字（Markdown）"))
    if problems:
        raise IntakeError(source, problems)

    def text(name):
        return str(meta[name].value).strip() if name in meta and meta[name].value is not None else ""

    return Record(
        agency=text("agency"),
        agency_id=text("agency_id") or source.stem,
        year=year,
        edition=edition.id,
        date=dates.as_written(meta["date"].value),
        contact=text("contact"),
        published=dates.as_written(meta["published"].value) if "published" in meta else "",
        signed_by=text("signed_by"),
        parts={p: (parts[p].value or "").strip() if p in parts else "" for p in edition.narrative_parts},
        tables=tables,
        source=str(source),
    )


def edition_for(meta: dict[str, Raw]) -> editions.Edition | None:
    """The edition a reader places values by, found as `build` finds it; `build` reports a wrong one."""
    return _edition(meta.get("edition"), _year(meta.get("year"), []), [])


def _year(raw: Raw | None, problems: list[Problem]) -> int | None:
    if raw is None or raw.value in (None, ""):
        return None
    value, error = coerce("count", raw.value)
    if error or not YEARS[0] <= value <= YEARS[1]:
        problems.append(Problem(raw.where, f"报告年度应为四位数年份，实为“{raw.value}”"))
        return None
    return value


def _edition(raw: Raw | None, year: int | None, problems: list[Problem]):
    if raw is not None and raw.value not in (None, ""):
        try:
            return editions.load(str(raw.value).strip())
        except KeyError as error:
            problems.append(Problem(raw.where, error.args[0]))
            return None
    if year is None:
        return None
    try:
        return editions.default_for(year)
    except KeyError as error:
        problems.append(Problem("year", error.args[0]))
        return None


_EXPECTED = {"count": "非负整数", "amount": "非负数（可带小数）", "signed": "整数（可为负）"}


def coerce(kind: str, raw) -> tuple[object, str | None]:
    """A cell's value for its column kind, or None and what was wrong with it.

    Blank stays None (unknown). Text holding a number (`"12"`, `"１２"`, `"1,234"`) is taken
    as that number, since spreadsheets and scrapers produce it; anything else is an error.
    """
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, None
    expected = _EXPECTED[kind]
    number = raw
    if isinstance(raw, bool):
        return None, f"应为{expected}，实为“{raw}”"
    if isinstance(raw, str):
        text = unicodedata.normalize("NFKC", raw).strip().replace(",", "")
        try:
            number = int(text)
        except ValueError:
            try:
                number = float(text)
            except ValueError:
                return None, f"应为{expected}，实为文字“{raw.strip()}”"
    if not isinstance(number, int | float):
        return None, f"应为{expected}，实为“{raw}”"
    if kind in ("count", "signed"):
        if isinstance(number, float):
            if not number.is_integer():
                return None, f"应为{expected}，实为小数 {number:g}"
            number = int(number)
    else:
        number = int(number) if float(number).is_integer() else float(number)
    if kind != "signed" and number < 0:
        return None, f"应为{expected}，实为负数 {number}"
    return number, None
