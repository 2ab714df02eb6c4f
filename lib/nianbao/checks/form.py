"""The report's form as the format prescribes it: its title, the statistics period its lead
states, the edition its tables are laid out in, and counts only some bodies can report.

Evaluators cite each: a title `…2022年政务公开工作年报`, a period `自2021年1月1日起至2021年12月
30日止`, a 2022 report with 2019's table 二, a 镇 reporting 规章 it has no power to make.
"""
from __future__ import annotations

import datetime as dt
import re

from .. import editions, patterns
from ..record import Record
from .evaluation import part_name, years
from .findings import Context, at, finding, number
from .text import flatten, sentence


def check_title(record: Record, rule: dict, context: Context):
    """The title as the published report states it (context.title; a report made here bears its
    edition's, and is not checked) against the form the format prescribes (`pattern`, with
    `{year}`); `expected` says that form to a reader."""
    if not context.title or patterns.search(years(rule["pattern"], record.year), context.title):
        return
    expected = years(rule["expected"], record.year)
    yield finding(rule, rule["message"].format(found=context.title, expected=expected, year=record.year),
                  part="agency", excerpt=context.title, expected=expected, found=context.title)


# A day as leads write it: `2021年12月31日`, `12月31日` (the year the period began), and with
# 年 and 月 lost as some pages print them, `20211230日` (`202111日`: 1 January).
_WRITTEN = re.compile(r"(?:(\d{4})年)?(\d{1,2})月(\d{1,2})日?")
_RUN_TOGETHER = re.compile(r"(\d{4})?(\d{2,4})日?")


def day(text: str, year: int | None = None) -> dt.date | None:
    """The day a period's bound names, or None where it cannot be told: `1231` is 12月31日,
    `11` 1月1日, but `121` 1月21日 or 12月1日."""
    text = re.sub(r"\s+", "", text)
    written = _WRITTEN.fullmatch(text)
    if written:
        stated, month, date = written.groups()
    else:
        run = _RUN_TOGETHER.fullmatch(text)
        if run is None or len(run.group(2)) == 3:
            return None
        stated, digits = run.groups()
        month, date = digits[:len(digits) // 2], digits[len(digits) // 2:]
    try:
        return dt.date(int(stated or year), int(month), int(date))
    except (TypeError, ValueError):  # no year stated or known; a day no calendar has
        return None


def check_period(record: Record, rule: dict, context: Context):
    """The statistics period a part states (`pattern`: groups `start` and `end`, the end's
    year left out taking the start's) against the report year, 1 January to 31 December.
    A bound that cannot be read as a day is no finding."""
    whole = (dt.date(record.year, 1, 1), dt.date(record.year, 12, 31))
    for part_id in rule["parts"]:
        text = flatten(record.contact if part_id == "contact" else record.parts.get(part_id, ""))
        match = patterns.search(rule["pattern"], text)
        if match is None:
            continue
        start = day(match.group("start"))
        end = day(match.group("end"), start.year if start else None)
        if start is None or end is None or (start, end) == whole:
            continue
        stated = f"{_written(start)}至{_written(end)}"
        yield finding(rule, rule["message"].format(part=part_name(record, part_id), found=stated, year=record.year),
                      part=part_id, excerpt=sentence(text, match.start(), match.end()),
                      expected=f"{_written(whole[0])}至{_written(whole[1])}", found=stated)


def _written(date: dt.date) -> str:
    return f"{date.year}年{date.month}月{date.day}日"


def check_edition(record: Record, rule: dict, context: Context):
    """Tables laid out in another edition than the one for the report year (editions.default_for):
    the importer reads a report in the edition whose rows and headers its text holds most of,
    so a 2022 report read in the 2019 edition prints 2019's table 二. One finding, at the first
    table that differs, naming what marks each; the rule's `years` say for which report years
    the year's edition is binding."""
    try:
        current = editions.default_for(record.year)
    except KeyError:
        return
    if record.spec.id == current.id:
        return
    differing = [(table_id, marks) for table_id, table in record.spec.tables.items()
                 if (marks := _marks(table, current.tables.get(table_id)))]
    if not differing:
        return
    what = "；".join(f"{record.spec.tables[table_id].name}{marks}" for table_id, marks in differing)
    yield finding(rule, rule["message"].format(edition=record.spec.name, expected=current.name, what=what,
                                               year=record.year),
                  table=differing[0][0], expected=current.name, found=record.spec.name)


def _marks(table, current) -> str:
    """What sets a table apart from the same table of the year's edition: its rows and columns
    that one lacks (a row that one splits into items said so), a few of each."""
    if current is None:
        return "（本年度格式没有此表）"
    if list(table.cells()) == list(current.cells()):
        return ""
    rows, columns = [], []
    for row in table.rows:
        if row not in current.rows:
            label = row.split("/")[-1]
            split = any(other.startswith(row + "/") for other in current.rows)
            rows.append(f"“{label}”只有一行、不分项" if split else f"有“{label}”行")
    for row in table.rows:
        columns += [column for column in table.columns(row)
                    if column not in columns and not any(column in current.columns(other) for other in current.rows)]
    found = [*rows[:3], *(f"有“{column}”列" for column in columns[:3])]
    more = "等" if len(rows) > 3 or len(columns) > 3 else ""
    return "（" + "，".join(found) + more + "）" if found else "（行列与本年度格式不同）"


def check_maker(record: Record, rule: dict, context: Context):
    """A count only some bodies can report (`cells`: 规章, which only provincial governments,
    those of cities with districts and State Council departments make, 立法法第九十一、九十三条)
    above 0 in the report of a body whose name is one of `bodies` (each a pattern on the
    agency's name and what such a body is). The name decides: a pattern sure of the body it
    names, and none for a name that does not say (a 县级市's department or a city's)."""
    body = next((said for said in rule["bodies"] if patterns.search(said["pattern"], record.agency)), None)
    if body is None:
        return
    for table_id, row, column in rule["cells"]:
        value = record.value(table_id, row, column)
        if value is not None and value > 0:
            yield finding(rule, rule["message"].format(agency=record.agency, what=body["what"],
                                                       where=f"{record.spec.tables[table_id].name}{at(row, column)}",
                                                       found=number(value)),
                          table=table_id, row=row, column=column, expected="0", found=number(value))
