"""What the template notebook calls: one agency-year, shown part by part.

`Report.load` reads the agency-year (and last year's and earlier years' records, where they can
be read) and runs its checks. Each method then returns a fragment: a section of the report's
document (document/build.py) that the cell outputs twice, as data under document.MIME, from
which the exporters draw the report as HTML, PDF and Word (pages/), and as HTML for JupyterLab
to show, its cells outlined where findings concern them. So the notebook stays a short list of
calls that an analyst can reorder or add to, and what a cell shows is what the report says. The
review cell outputs the checked payload (document.notebook.Checked) under FINDINGS_MIME, which
the batch reads back into checks.json.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from . import checks, consolidation, intake, pages, reviews
from .checks.findings import counts
from .consolidation import Coverage
from .document import MIME, Section, build, grid, section_data
from .document.notebook import FINDINGS_MIME, Checked
from .pages import html
from .record import Record


def shown(html_text: str) -> str:
    """A fragment as its cell shows it. A notebook open in JupyterLab (whose kernel the Jupyter
    server starts with JPY_SESSION_NAME, the notebook's path) shows it with the report's look:
    JupyterLab's own styles for HTML outputs, made for pandas tables, would align the labels
    right and stripe the rows. Every fragment carries the style, so that clearing one output
    leaves the others as they were. Anywhere else (papermill, the batch) the cell shows the
    bare fragment."""
    if not html_text or not os.environ.get("JPY_SESSION_NAME"):
        return html_text
    return f'<div class="{pages.PREVIEW}"><style>{pages.preview_style()}</style>{html_text}</div>'


class Fragment:
    """A section of the report as a cell's output: its data for the drawings, its HTML to show."""

    def __init__(self, section: Section, marks: dict | None = None):
        self.section = section
        self.html = str(html.section(section, marks))

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"text/html": shown(self.html), MIME: section_data(self.section)}


class Review:
    """The reviewers' panel, carrying the checked payload as data beside its HTML."""

    def __init__(self, html_text: str, checked: Checked):
        self.html = html_text
        self.checked = checked

    @property
    def payload(self) -> dict:
        return self.checked.to_data()

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"text/html": shown(self.html), FINDINGS_MIME: self.payload}


@dataclass
class Report:
    record: Record
    findings: list
    previous: Record | None = None
    earlier: list[Record] = field(default_factory=list)  # the agency's earlier years, for history
    covered: Coverage | None = None  # a government's report: the units its tables add up
    stale: list[reviews.Decision] = field(default_factory=list)  # decisions whose finding is gone

    @classmethod
    def load(cls, record, previous=None, *, year=None, agency_id=None, history=(), covers=(),
             decisions="", rule_packs=()) -> Report:
        """Read the agency-year, last year's record and earlier years' when given, and check it.

        A government's report (`covers` names the units it covers, see consolidation.py) has
        its tables summed over them; its other years, given as {record, covers}, are summed too.
        `decisions` is the reviewers' file (reviews.py): each finding shows its decision;
        `rule_packs` the ids of the local rule packs the project selects (project.py).
        Another year's broken file must not stop this year's report: it is skipped, and a
        warning says what could not be compared; a broken decisions file is an error of the
        report, whose findings then show no decisions.
        """
        this_year = intake.read(record, year=int(year) if year else None, agency_id=agency_id or None)
        coverage = None
        if covers:
            this_year, coverage = consolidation.consolidate(this_year, list(covers))
        unread, read = [], {}

        def other(source, rule: str, what: str) -> Record | None:
            """Last year's file is among the earlier years too: read (and warn) once."""
            key = str(source)
            if key not in read:
                try:
                    if isinstance(source, dict):  # a government's year: its record and what it covers
                        read[key] = consolidation.consolidate(intake.read(source["record"]), source["covers"])[0]
                    else:
                        read[key] = intake.read(source)
                except intake.IntakeError as error:
                    read[key] = None
                    unread.append(checks.Finding(rule, "warning", f"{what}：{error}", part="history",
                                                 found=str(error.source)))
            return read[key]

        last_year = other(previous, "跨年.上年记录", "上一年度记录无法读取，未核对跨年结转") if previous else None
        if last_year and (last_year.agency_id, last_year.year) != (this_year.agency_id, this_year.year - 1):
            unread.append(checks.Finding(
                "跨年.上年记录", "warning", f"上一年度记录是 {last_year.agency_id} {last_year.year} 年的，"
                f"应为 {this_year.agency_id} {this_year.year - 1} 年，未核对跨年结转", part="history",
                found=f"{last_year.agency_id} {last_year.year}"))
            last_year = None
        earlier = [r for r in (other(source, "历年.记录", "历年记录无法读取，未列入历年对比") for source in history)
                   if r is not None and r.year < this_year.year]
        findings = checks.check(this_year, last_year, coverage=coverage, packs=checks.packs(rule_packs))
        if coverage:
            findings = consolidation.attribute(findings, coverage, this_year.spec)
        findings, stale = [*findings, *unread], []
        try:
            findings, stale = reviews.apply(findings, reviews.load(decisions) if decisions else {})
        except reviews.ReviewsError as error:
            findings.insert(0, checks.Finding("审核.决定无法读取", "error", f"审核决定文件有误，未采用：{error}",
                                              part="reviews", found=str(decisions)))
        return cls(this_year, findings, last_year, earlier, coverage, stale)

    @property
    def errors(self) -> int:
        return counts(self.findings).errors

    @property
    def warnings(self) -> int:
        return counts(self.findings).warnings

    def review(self) -> Review:
        """The findings for the reviewer, numbered as the cells' marks, with their decisions; the
        payload the batch writes to checks.json and record.json."""
        checked = Checked(self.record, self.findings, self.stale, self.covered, self.previous)
        return Review(pages.review(self.record, self.findings, self.stale, coverage=self.covered), checked)

    def _fragment(self, section: Section) -> Fragment:
        return Fragment(section, html.cell_marks(self.findings))

    def heading(self) -> Fragment:
        return self._fragment(build.heading(self.record))

    def part(self, part_id: str) -> Fragment:
        return self._fragment(build.part(self.record, part_id))

    def signature(self) -> Fragment:
        return self._fragment(build.signature(self.record))

    def coverage(self) -> Fragment:
        """A government's report: the units its tables add up; nothing else."""
        return self._fragment(build.coverage(self.record, self.covered))

    def history(self) -> Fragment:
        """Charts and year-on-year changes over the agency's years; nothing when there is one year."""
        return self._fragment(build.history(self.record, self.earlier))

    def draft(self, rule_packs=()) -> None:
        """Write into this agency-year's record file, for each part not yet written, the
        sentences its tables give (a government's: its summed tables), each paragraph marked
        【待核改】 for the analyst to edit (opendata/draft.py); text already written is never
        replaced. The parts drafted show in the cells that follow. What was done is printed:
        printed text is not part of the report. Call it in JupyterLab, not in the template."""
        from .opendata import draft

        written, lines = draft.into_file(self.record, Path(self.record.source), checks.packs(rule_packs))
        self.record.parts.update(written)
        print("\n".join(lines))

    def frame(self, table_id: str):
        """A table as a pandas DataFrame, for analysis in the notebook."""
        return grid.frame(self.record.spec.tables[table_id], self.record.tables.get(table_id, {}))
