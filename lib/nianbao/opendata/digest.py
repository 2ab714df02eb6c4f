"""A report's 图解 and 解读: its year's key figures and their change from last year.

    digest.pdf   one A4 page in the report's faces (Typst, templates/typst/digest.typ)
    digest.png   the same page as a picture, for a web page or a phone
    digest.html  the same figures as a web page, each naming the cells it adds up (`data-cells`)
    digest.md    the 解读: plain sentences stating the same figures, then where each comes from

The figures are figures.py's, so the 图解, the 解读, the data package and the drafted narrative
say the same. Each is shown with the table cells it adds up (`cells`, and the 解读's 数据来源).
A figure whose table fails a check (an error no reviewer explained or marked a false alarm) is
left out, and the page says which table; a blank cell (unknown) leaves its figure out too. A
report with open errors carries the draft mark, as its other drawings do. A record without
tables (a work summary) has no 图解.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..record import Record, Value, format_value
from .figures import CORRECTED, Figure, failing_tables, figures, source

FILES = ("digest.pdf", "digest.png", "digest.html", "digest.md")
# The sections of the page, each a group of figures.py, in order (办理结果 is drawn as bars): its
# title, and how the 解读's sentence about it begins
SECTIONS = {"主动公开": ("主动公开", "{year}年，{agency}"), "依申请公开": ("依申请公开", "全年"),
            "办理结果": ("办理结果", "办理结果中，"), "复议诉讼": ("行政复议、行政诉讼", "全年发生政府信息公开"),
            "收费": ("收费", "收费方面，")}
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~])")


@dataclass
class Shown:
    """A figure as the 图解 shows it: this year's value, last year's, and its share of a whole."""
    figure: Figure
    before: Value = None
    of: Figure | None = None  # the whole it is a share of (办理完毕 for an outcome)
    part: Figure | None = None  # for a total: its 纠正, shown with it

    @property
    def change(self) -> str:
        now, then, unit = self.figure.value, self.before, self.figure.unit
        if then is None:
            return ""
        if now == then:
            return "与上年持平"
        rate = f"（{(now - then) / then:+.0%}）" if then else ""
        return f"较上年{'增加' if now > then else '减少'}{format_value(abs(now - then))}{unit}{rate}"

    @property
    def share(self) -> str:
        return f"占{self.figure.value / self.of.value:.0%}" if self.of and self.of.value else ""

    @property
    def corrected(self) -> str:
        """A total's 纠正 and its share of the total: `结果纠正1件，占14%`."""
        part, total = self.part, self.figure.value
        return f"结果纠正{part.said}" + (f"，占{part.value / total:.0%}" if total else "") if part else ""


@dataclass
class Digest:
    title: str
    draft: str
    sections: dict[str, list[Shown]] = field(default_factory=dict)
    left_out: list[str] = field(default_factory=list)  # the names of the tables that fail a check
    sources: list[str] = field(default_factory=list)   # the names of the tables the figures come from
    units: int = 0  # a government's report: how many units its tables add up


def digest(record: Record, previous: Record | None, findings, draft: str = "", units: int = 0) -> Digest | None:
    """What the 图解 of the report shows (`units`: how many units a government's tables add up);
    None for a record without tables."""
    if not record.spec.tables:
        return None
    failing = failing_tables(findings)
    known = {key: f for key, f in figures(record).items() if f.table not in failing and f.value is not None}
    before = figures(previous) if previous else {}
    made = Digest(record.title, draft, units=units,
                  left_out=[record.spec.tables[t].name for t in record.spec.tables if t in failing])
    parts = set(CORRECTED.values())
    for key, figure in known.items():
        if key in parts:
            continue
        shown = Shown(figure, before[key].value if key in before else None,
                      of=known.get("handled") if figure.group == "办理结果" else None,
                      part=known.get(CORRECTED.get(key, "")))
        made.sections.setdefault(figure.group, []).append(shown)
    made.sources = [record.spec.tables[t].name for t in dict.fromkeys(f.table for f in known.values())]
    return made


def page_data(made: Digest, record: Record) -> dict:
    """The 图解 as plain data for its drawings (Typst, HTML): every string shown as text; each
    card's `cells` are the [table, row, column] it adds up, as report.html's `data-cell` names them."""
    def card(shown: Shown) -> dict:
        f = shown.figure
        return {"label": f.label, "value": format_value(f.value), "unit": f.unit, "change": shown.change,
                "note": shown.corrected or shown.share,
                "number": f.value, "cells": [[f.table, row, column] for row, column in f.cells]}

    return {"title": made.title, "agency": record.agency, "year": record.year, "draft": made.draft or None,
            "sections": [{"title": SECTIONS[group][0], "bars": group == "办理结果",
                          "cards": [card(shown) for shown in made.sections[group]]}
                         for group in SECTIONS if group in made.sections],
            "notes": [*([f"本报告的表格为所涵盖的{made.units}个单位之和。"] if made.units else []),
                      *([f"{'、'.join(made.left_out)}未通过核查，其数字未列入本图解。"] if made.left_out else []),
                      f"数字取自本报告{'、'.join(made.sources)}。" if made.sources else "本报告的表格没有可列出的数字。"]}


def markdown(made: Digest, record: Record) -> str:
    """The 解读: a sentence a section, stating each figure (and its change, its share), then
    where each figure comes from."""
    lines = [f"# {_escaped(made.title)}解读", ""]
    if made.draft:
        lines += [f"**{made.draft}**", ""]
    if made.units:
        lines += [f"本报告的表格为所涵盖的{made.units}个单位之和。", ""]
    for group, shown in made.sections.items():
        said = []
        for item in shown:
            words = [f"{item.figure.label}{item.figure.said}", item.change, item.share,
                     item.corrected and f"其中{item.corrected}"]
            said.append("，".join(filter(None, words)))
        opening = SECTIONS[group][1].format(year=record.year, agency=_escaped(record.agency))
        lines += [f"{opening}{'；'.join(said)}。", ""]
    lines += [f"{'、'.join(made.left_out)}未通过核查，其数字未列入本解读。", ""] if made.left_out else []
    lines += ["## 数据来源", ""]
    for item in (item for shown in made.sections.values() for item in shown):
        for f in filter(None, (item.figure, item.part)):
            lines.append(f"- {f.label}：{source(record, f)}")
    return "\n".join(lines) + "\n"


def _escaped(text: str) -> str:
    """Text from a record, kept text in Markdown: its punctuation that Markdown reads escaped."""
    return _MARKDOWN.sub(r"\\\1", text)


def write(folder: Path, checked) -> None:
    """digest.pdf, digest.png, digest.html and digest.md of a checked report (document.notebook.Checked)
    into `folder`; nothing for a record without tables."""
    from ..document.notebook import DRAFT
    from ..pages.html import digest_page
    from ..pages.typeset import digest_pages

    record = checked.record
    units = sum(unit.included for unit in checked.coverage.units) if checked.coverage else 0
    made = digest(record, checked.previous, checked.findings, DRAFT if checked.open_errors else "", units)
    if made is None:
        return
    data = page_data(made, record)
    pdf, png = digest_pages(data)
    (folder / "digest.pdf").write_bytes(pdf)
    (folder / "digest.png").write_bytes(png)
    (folder / "digest.html").write_text(digest_page(data), encoding="utf-8")
    (folder / "digest.md").write_text(markdown(made, record), encoding="utf-8")
