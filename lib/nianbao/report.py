"""What the template notebook calls: one report, shown part by part.

Each method returns a fragment of HTML that Jupyter displays and nbconvert later copies into
the rendered report, so the notebook stays a short list of calls that an analyst can reorder
or add to. The findings travel inside the notebook too, as a JSON output of their own type
(FINDINGS_MIME), which the batch reads back into checks.json.

Text from agencies is untrusted: Markdown is rendered with raw HTML, links and images off,
and every template autoescapes.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import Environment, PackageLoader
from markdown_it import MarkdownIt
from markupsafe import Markup

# history (pandas, matplotlib) is imported where it is used: every report's kernel imports
# this module, and those two cost over a second that a report without earlier years never needs.
from . import checks, intake, tables
from .record import Record

FINDINGS_MIME = "application/vnd.nianbao.findings+json"
# The report's look, which the nbconvert template (templates/nbconvert/nianbao) inlines.
STYLESHEET = Path(__file__).parent / "templates" / "nbconvert" / "nianbao" / "report.css"


def stylesheet() -> Markup:
    """The report's stylesheet, for pages that show its parts outside a report (the history
    pages, the audit's reports)."""
    return Markup(STYLESHEET.read_text(encoding="utf-8"))

_markdown = MarkdownIt("commonmark", {"html": False, "breaks": True}).disable(["image", "link", "autolink"])
_templates = Environment(loader=PackageLoader("nianbao", "templates/report"), autoescape=True,
                         trim_blocks=True, lstrip_blocks=True)


class Fragment:
    """HTML shown as a cell's output."""

    def __init__(self, html: str):
        self.html = html

    def _repr_html_(self) -> str:
        return self.html


class Review(Fragment):
    """The review panel, carrying the findings as data beside its HTML."""

    def __init__(self, html: str, payload: dict):
        super().__init__(html)
        self.payload = payload

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"text/html": self.html, FINDINGS_MIME: self.payload}


def markdown(text: str) -> Markup:
    return Markup(_markdown.render(text or ""))


@dataclass
class Report:
    record: Record
    findings: list
    previous: Record | None = None
    earlier: list[Record] = field(default_factory=list)  # the agency's earlier years, for history

    @classmethod
    def load(cls, record, previous=None, *, year=None, agency_id=None, history=()) -> Report:
        """Read the agency-year, last year's record and earlier years' when given, and check it.

        Another year's broken file must not stop this year's report: it is skipped, and a
        warning says what could not be compared.
        """
        this_year = intake.read(record, year=int(year) if year else None, agency_id=agency_id or None)
        unread, read = [], {}

        def other(path, rule: str, what: str) -> Record | None:
            """Last year's file is among the earlier years too: read (and warn) once."""
            if str(path) not in read:
                try:
                    read[str(path)] = intake.read(path)
                except intake.IntakeError as error:
                    read[str(path)] = None
                    unread.append(checks.Finding(rule, "warning", f"{what}：{error}", part="history",
                                                 found=str(error.source)))
            return read[str(path)]

        last_year = other(previous, "跨年.上年记录", "上一年度记录无法读取，未核对跨年结转") if previous else None
        earlier = [r for r in (other(path, "历年.记录", "历年记录无法读取，未列入历年对比") for path in history)
                   if r is not None and r.year < this_year.year]
        return cls(this_year, [*checks.check(this_year, last_year), *unread], last_year, earlier)

    @property
    def errors(self) -> int:
        return sum(f.severity == "error" for f in self.findings)

    @property
    def warnings(self) -> int:
        return sum(f.severity == "warning" for f in self.findings)

    def review(self) -> Review:
        """The findings for the reviewer (hidden when printed), numbered as the table marks."""
        payload = {
            "title": self.record.title, "agency": self.record.agency, "agency_id": self.record.agency_id,
            "year": self.record.year, "edition": self.record.edition,
            "errors": self.errors, "warnings": self.warnings,
            "findings": [f.to_dict() for f in self.findings],
            "record": self.record.to_dict(),
        }
        html = _render("review.html.j2", findings=list(enumerate(self.findings, 1)), report=self)
        return Review(html, payload)

    def heading(self) -> Fragment:
        return Fragment(_render("heading.html.j2", title=self.record.title, contact=self.record.contact))

    def part(self, part_id: str) -> Fragment:
        spec = next((p for p in self.record.spec.parts if p.id == part_id), None)
        if spec is None:  # a notebook made for another edition
            raise KeyError(f"{self.record.spec.name}没有“{part_id}”部分（有：{'、'.join(p.id for p in self.record.spec.parts)}）："
                           f"这份记录应使用模板笔记本 notebooks/{self.record.spec.notebook}")
        if spec.table:
            table = self.record.spec.tables[spec.table]
            blocks = tables.grid(table, self.record.tables.get(spec.table, {}), self._marks(spec.table))
            body = _render("table.html.j2", table=table, blocks=blocks)
        else:
            text = self.record.parts.get(part_id, "")
            body = markdown(text) if text.strip() else ""
        title = self.record.spec.part_title(spec, self.record.year)
        return Fragment(_render("part.html.j2", part=spec, title=title, body=Markup(body)))

    def signature(self) -> Fragment:
        return Fragment(_render("signature.html.j2", agency=self.record.signed_by or self.record.agency,
                                date=self.record.date))

    def history(self) -> Fragment:
        """Charts and year-on-year changes over the agency's years; nothing when there is one year."""
        years = [*self.earlier, self.record]
        if len(years) < 2 or not self.record.spec.history:
            return Fragment("")
        from . import history
        figures = history.figures(years)
        notes = history.mappings(years)
        return Fragment(_render("history.html.j2", agency=self.record.agency,
                                years=[r.year for r in sorted(years, key=lambda r: r.year)],
                                charts=[(title, uri, [n for chart, n in notes if chart == title])
                                        for title, uri in history.charts(figures)],
                                changes=history.changes(figures)))

    def frame(self, table_id: str):
        """A table as a pandas DataFrame, for analysis in the notebook."""
        return tables.frame(self.record.spec.tables[table_id], self.record.tables.get(table_id, {}))

    def _marks(self, table_id: str) -> dict:
        marks = defaultdict(list)
        for number, finding in enumerate(self.findings, 1):
            if finding.table == table_id and finding.column:
                marks[(finding.row, finding.column)].append((number, finding.severity, finding.message))
        return marks


def _render(name: str, **context) -> str:
    return _templates.get_template(name).render(**context)
