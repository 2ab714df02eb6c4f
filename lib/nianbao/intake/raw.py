"""What every intake reader shares: raw fields with their places, and the one set of rules
that turns them into a Record.

Each reader finds the raw fields and where they stand (a YAML field path, a sheet and cell);
`build` turns them into a Record with one set of rules for every reader, so that two routes
holding the same content give equal records. Every problem found is collected and raised
together as an IntakeError that names the file, the place and what was expected.

Bounds, so that a mistyped or hostile file is refused here rather than held by a render
worker: a cell's number at most 1 万亿 (10**12) in absolute value and finite; a narrative part
at most 100,000 characters (a real one has a few thousand); a metadata field a single value
(text, a number for the year, a date) of at most 1,000 characters.
"""
from __future__ import annotations

import datetime as dt
import math
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from .. import dates, editions, ids
from ..errors import NianbaoError
from ..record import FIELDS, Record, blank_tables


@dataclass(frozen=True)
class Problem:
    where: str    # `表三!D12`, `tables.三.一、本年新收政府信息公开申请数量`, `year`, or a sheet
    message: str  # what was found and what was expected, in Chinese


class IntakeError(NianbaoError, ValueError):
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


REQUIRED = ("agency", "year", "date")  # what the workbook asks for as 必填
# Without a year a record cannot be placed (its edition, its deadline); the other required
# fields, when missing, are findings of the checks (基本信息.缺失), so that an imported report
# that does not state its date is still checked table by table.
ESSENTIAL = ("year",)
YEARS = (1990, 2100)  # the report years a record may declare
LARGEST = 10**12      # a cell's bound: far above any real count or amount in 万元
PART_LENGTH = 100_000  # characters in one narrative part
FIELD_LENGTH = 1_000   # characters in one metadata field
_FIELD_KINDS = {"year": "四位数年份", "date": "日期", "published": "日期"}  # the others: text


def build(source: Path, meta: dict[str, Raw], parts: dict[str, Raw],
          cells: dict[tuple[str, str, str], Raw], problems: list[Problem]) -> Record:
    """The Record from a reader's raw fields; raise IntakeError listing every problem.

    `cells` holds values already placed on official (table, row, column) labels;
    `problems` brings what the reader itself found wrong (unknown labels, a missing sheet).
    """
    problems = list(problems)
    meta = dict(meta)
    reported = {problem.where for problem in problems}  # e.g. a formula with no value: blank, and said
    for name in ESSENTIAL:
        where = meta[name].where if name in meta else name
        if (name not in meta or _blank(meta[name].value)) and where not in reported:
            problems.append(Problem(where, f"缺少必填字段“{FIELDS[name]}”（{name}）"))
    for name, raw in list(meta.items()):
        error = _field_error(name, raw.value)
        if error:
            problems.append(Problem(raw.where, error))
            del meta[name]  # reported once: not again as missing, a wrong year or a wrong edition
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

    # A table part may have text too: its lead, the sentences before its table.
    known = [part.id for part in edition.parts if part.narrative or part.table] if edition else []
    for part_id, raw in parts.items():
        if part_id not in known:
            problems.append(Problem(raw.where, f"未知的正文部分“{part_id}”，应为 {'、'.join(known)} 之一"))
        elif raw.value is not None and not isinstance(raw.value, str):
            problems.append(Problem(raw.where, f"正文应为文字（Markdown），实为{kind_of(raw.value)}"))
        elif raw.value and len(raw.value) > PART_LENGTH:
            problems.append(Problem(raw.where, f"正文过长：{len(raw.value)} 个字符，应不超过 {PART_LENGTH} 个字符"))

    def text(name):
        return str(meta[name].value).strip() if name in meta and meta[name].value is not None else ""

    agency_id = text("agency_id") or source.stem
    wrong_id = ids.problem(agency_id)
    if wrong_id:  # the id names the report's folder: it must be a safe one
        raw = meta.get("agency_id")
        problems.append(Problem(raw.where if raw else "agency_id",
                                wrong_id if text("agency_id") else f"未填写，取文件名作机关代码：{wrong_id}"))
    if problems:
        raise IntakeError(source, problems)

    return Record(
        agency=text("agency"),
        agency_id=agency_id,
        year=year,
        edition=edition.id,
        date=dates.as_written(meta["date"].value) if "date" in meta and not _blank(meta["date"].value) else "",
        contact=text("contact"),
        published=dates.as_written(meta["published"].value) if "published" in meta else "",
        signed_by=text("signed_by"),
        parts={p: text for p in known for text in [(parts[p].value or "").strip() if p in parts else ""]
               if text or p in edition.narrative_parts},
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
        problems.append(Problem(raw.where, f"{FIELDS['year']}应为{_FIELD_KINDS['year']}，实为“{_shown(raw.value)}”"))
        return None
    return value


def _field_error(name: str, value) -> str | None:
    """What is wrong with a metadata value as a value of its kind, before its own checks."""
    if isinstance(value, str) and len(value) > FIELD_LENGTH:
        return f"{FIELDS[name]}过长：{len(value)} 个字符，应不超过 {FIELD_LENGTH} 个字符"
    # A number or a date is taken as text where text is expected (YAML reads `2021` as one).
    if value is None or isinstance(value, str | int | float | dt.date) and not isinstance(value, bool):
        return None
    return f"{FIELDS[name]}应为{_FIELD_KINDS.get(name, '文字')}，实为{kind_of(value)}"


def _blank(value) -> bool:
    return value is None or isinstance(value, str) and not value.strip()


def kind_of(value) -> str:
    """What a value is, for a message saying it is the wrong kind."""
    if isinstance(value, dict):
        return "映射"
    if isinstance(value, list):
        return "列表"
    if isinstance(value, bool):
        return "真假值"
    return "文字" if isinstance(value, str) else f"“{_shown(value)}”"


def _shown(value) -> str:
    """A value as a message quotes it: cut short, since a cell may hold a whole document."""
    text = str(value).strip()
    return text if len(text) <= 20 else text[:20] + "…"


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
    as that number, since spreadsheets and scrapers produce it; anything else is an error, and
    so is a number that is not finite or lies beyond LARGEST.
    """
    if _blank(raw):
        return None, None
    expected = _EXPECTED[kind]
    number = raw
    if isinstance(raw, str):
        text = unicodedata.normalize("NFKC", raw).strip().replace(",", "")
        try:
            number = int(text)
        except ValueError:
            try:
                number = float(text)
            except ValueError:
                return None, f"应为{expected}，实为文字“{_shown(raw)}”"
    if isinstance(number, bool) or not isinstance(number, int | float):
        return None, f"应为{expected}，实为{kind_of(raw)}"
    if isinstance(number, float) and not math.isfinite(number):
        return None, f"应为{expected}，实为无穷大或无效数值“{_shown(raw)}”"
    if abs(number) > LARGEST:  # before any float(): a 400-digit integer has none
        return None, f"数值过大：应为{expected}，且不超过 1 万亿（10¹²）"
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
