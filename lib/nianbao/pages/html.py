"""The document drawn as HTML: the public report page, the review page, and each section as the
template notebook's cells show it in JupyterLab.

The public page (report.html, what an office puts on its website) carries the report only. The
review page (review.html) is the same report with the reviewers' panel above it: every finding
with its decision, a government's units with their internal statuses, and each official table
cell a finding concerns outlined, with the finding's number linking to it.
"""
from __future__ import annotations

import base64
import functools
import json
from collections import defaultdict
from dataclasses import dataclass, field

from markupsafe import Markup

from ..document import Chart, Document, Image, Section, TableBlock, from_data, to_data
from . import SEVERITIES, environment, render, stylesheet
from . import review as review_panel


@dataclass
class Review:
    """What the review page adds to the report: the findings, numbered as the panel lists them,
    with their decisions; the decisions whose finding is gone; a government's coverage with
    its internal statuses; and, served by `nianbao review`, the form's action and token."""
    record: object
    findings: list
    stale: list = field(default_factory=list)
    coverage: object = None
    form: dict | None = None


TEMPLATES = ("report/page.html.j2", "report/section.html.j2", "report/review.html.j2", "report/digest.html.j2")


def prepare() -> None:
    """Compile the report's templates now (Jinja compiles a template when first asked for it)."""
    for name in TEMPLATES:
        environment.get_template(name)


def page(document: Document, review: Review | None = None) -> str:
    """The report as one self-contained page; with `review`, the review page."""
    marks = cell_marks(review.findings) if review else {}
    panel = review_panel(review.record, review.findings, review.stale, review.form, review.coverage) if review else ""
    return render("report/page.html.j2", document=document, style=stylesheet(review=bool(review)), panel=panel,
                  sections=[section(s, marks) for s in document.sections])


def digest_page(data: dict) -> str:
    """A report's 图解 as one self-contained page, from the plain data its PDF is typeset from
    (opendata/digest.py `page_data`)."""
    return render("report/digest.html.j2", digest=data)


def section(shown: Section, marks: dict | None = None) -> Markup:
    """One section as HTML; `marks` (from `cell_marks`) outlines the cells findings concern."""
    marks = marks or {}

    def flagged(cell) -> dict | None:
        found = marks.get(tuple(cell.ref)) if cell.ref else None
        if not found:
            return None
        severity = next(s for s in SEVERITIES if any(s == said for _, said, _ in found))  # the most severe
        return {"severity": severity, "marks": [(n, message) for n, _, message in found]}

    return render("report/section.html.j2", section=shown, flagged=flagged, kept_with_next=kept_with_next, picture=picture)


def cell_marks(findings: list) -> dict:
    """The findings of each official table cell by (table, row, column): (number, severity, message)."""
    marks = defaultdict(list)
    for number, finding in enumerate(findings, 1):
        if finding.table and finding.column:
            marks[(finding.table, finding.row, finding.column)].append((number, finding.severity, finding.message))
    return marks


def kept_with_next(block: TableBlock) -> set[int]:
    """The body's lines that go to a page with the line after them: all but the last of each run
    of lines the block keeps on one page (a merged label's rows cross such runs, so a run cannot
    be a <tbody> of its own)."""
    return {line for first, count in block.keep for line in range(first, first + count - 1)}


def picture(block: Chart | Image, phone: bool = False) -> str:
    """A chart (drawn by matplotlib, its text kept as text; `phone`: for a phone's screen) or an
    image as a data: URI."""
    if isinstance(block, Chart):
        return _chart_uri(json.dumps(to_data(block), ensure_ascii=False), phone)
    data = block.data if block.mime != "image/svg+xml" else base64.b64encode(block.data.encode()).decode("ascii")
    return f"data:{block.mime};base64,{data}"


@functools.lru_cache(maxsize=16)
def _chart_uri(chart: str, phone: bool) -> str:
    """A chart drawn once for the report page and the review page alike (its data as JSON)."""
    from .charts import draw  # matplotlib: only for reports with charts

    svg = draw(from_data(json.loads(chart)), "svg", phone)
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")
