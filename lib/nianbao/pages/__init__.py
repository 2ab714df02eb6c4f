"""The HTML every page of nianbao is made of, from one Jinja environment.

Templates are found by name under templates/: `report/*` are the fragments of a report (its
heading, parts, signature, review panel, history appendix), `batch/*` the index and history
pages, `audit/*` the audit's pages, and `nbconvert/nianbao/` the exporters' template folder,
whose stylesheet the other pages share. Every template autoescapes: text from agencies and
imported reports is untrusted, and Markdown is rendered with raw HTML, links and images off.

A fragment is a function of plain data (a record and its findings), so the notebook (Report),
the index and the audit draw the same report parts the same way.
"""
from __future__ import annotations

import functools
import unicodedata
from collections import defaultdict
from dataclasses import dataclass

from jinja2 import Environment, PackageLoader
from markdown_it import MarkdownIt
from markupsafe import Markup

# history (pandas, matplotlib) is imported where it is used: every report's kernel imports
# this module, and those two cost over a second that a report without earlier years never needs.
from ..record import FIELDS
from ..reviews import DECISIONS, open_errors
from . import grid

environment = Environment(loader=PackageLoader("nianbao", "templates"), autoescape=True,
                          trim_blocks=True, lstrip_blocks=True)

# Where a finding about text stands, for people: a narrative part, a metadata field, or what
# the report adds (a government's coverage, the reviewers' decisions, the earlier years).
_PLACES = {"coverage": "涵盖单位", "reviews": "审核决定", "history": "历年记录"}


def place(part: str) -> str:
    if len(part) == 1 and part in "一二三四五六七八九":
        return f"第{part}部分"
    return FIELDS.get(part) or _PLACES.get(part, part)


environment.filters["place"] = place
# A narrative is prose: raw HTML, links and images stay the literal text they are, and nothing
# is code. A paragraph indented by four spaces or a tab (as many people indent one, in YAML and
# in the workbook's 正文 cells) or between ``` lines is a paragraph with its words, in every
# drawing of the report: Markdown's code blocks and `code` spans are off.
_markdown = MarkdownIt("commonmark", {"html": False, "breaks": True}).disable(
    ["image", "link", "autolink", "code", "fence", "backticks"])
STYLESHEET = "nbconvert/nianbao/report.css"


def render(name: str, **context) -> Markup:
    """A template rendered: markup safe to place in another page (every template autoescapes)."""
    return Markup(environment.get_template(name).render(**context))


def stylesheet() -> Markup:
    """The report's stylesheet, which the nbconvert template inlines, for the pages that show a
    report's parts outside a report (the history pages, the audit's reports)."""
    source, _, _ = environment.loader.get_source(environment, STYLESHEET)
    return Markup(source)


PREVIEW = "nianbao-preview"  # the class of the wrapper a fragment shown in JupyterLab stands in


@functools.cache
def preview_style() -> Markup:
    """The report's look for its fragments shown in JupyterLab (report.Fragment): every rule of
    the report's stylesheet limited to `.nianbao-preview`, then report/preview.css, which undoes
    what JupyterLab's own styles for HTML outputs (made for pandas tables) would still change."""
    import tinycss2  # only a notebook open in JupyterLab needs it

    def rules(source):
        return tinycss2.parse_stylesheet(source, skip_comments=True, skip_whitespace=True)

    extra, _, _ = environment.loader.get_source(environment, "report/preview.css")
    return Markup(_scoped(rules(stylesheet())) + "\n" + tinycss2.serialize(rules(extra)))


def _scoped(rules) -> str:
    """Rules whose selectors apply inside the preview's wrapper only, so that nothing else in
    JupyterLab changes. The report's page (`html`, `:root`) is the wrapper itself; the grey
    around it (`body`) and the printed page's margins (`@page`) have no counterpart."""
    import tinycss2

    css = []
    for rule in rules:
        if rule.type == "qualified-rule":
            selectors = [f".{PREVIEW}" if selector in ("html", ":root") else f".{PREVIEW} {selector}"
                         for selector in _selectors(rule.prelude) if selector != "body"]
            if selectors:
                css.append(f"{', '.join(selectors)} {{{tinycss2.serialize(rule.content)}}}")
        elif rule.type == "at-rule" and rule.lower_at_keyword == "media":
            inner = tinycss2.parse_rule_list(rule.content, skip_comments=True, skip_whitespace=True)
            css.append(f"@media {tinycss2.serialize(rule.prelude).strip()} {{{_scoped(inner)}}}")
    return "\n".join(css)


def _selectors(prelude) -> list[str]:
    """A rule's selectors: its prelude split at the commas outside brackets (`:is(a, b)`)."""
    import tinycss2

    found = [[]]
    for token in prelude:
        if token.type == "literal" and token.value == ",":
            found.append([])
        else:
            found[-1].append(token)
    return [tinycss2.serialize(tokens).strip() for tokens in found]


def markdown(text: str) -> Markup:
    return Markup(_markdown.render(text or ""))


def text_width(text: str) -> float:
    """Width in characters of the report's Chinese face: Latin letters and digits are half as
    wide. For the Word file's and the PDF's title lines and signature."""
    return sum(1 if unicodedata.east_asian_width(c) in "FWA" else 0.5 for c in text)


@dataclass(frozen=True)
class Run:
    text: str
    strong: bool
    emphasis: bool


def inline_runs(children) -> list[Run | None]:
    """A Markdown paragraph's inline tokens as runs of text, None for a line break, as the HTML
    report shows them: for the Word file and the PDF. Raw HTML, links and images are text here
    too, as the parser left them."""
    runs, strong, emphasis = [], False, False
    for child in children:
        if child.type in ("strong_open", "strong_close"):
            strong = child.type == "strong_open"
        elif child.type in ("em_open", "em_close"):
            emphasis = child.type == "em_open"
        elif child.type in ("softbreak", "hardbreak"):
            runs.append(None)
        elif child.content:
            runs.append(Run(child.content, strong, emphasis))
    return runs


@dataclass(frozen=True)
class Counts:
    errors: int
    warnings: int


def counts(findings) -> Counts:
    """Errors and warnings among findings (Finding objects, or their dicts from checks.json)."""
    severities = [f["severity"] if isinstance(f, dict) else f.severity for f in findings]
    return Counts(severities.count("error"), severities.count("warning"))


def summary(items) -> dict:
    """How many of (made, errors, warnings) items failed, have errors, only warnings, or none."""
    items = list(items)
    found = {"total": len(items), "failed": sum(not made for made, _, _ in items),
             "with_errors": sum(made and errors > 0 for made, errors, _ in items),
             "with_warnings": sum(made and not errors and warnings > 0 for made, errors, warnings in items)}
    found["clean"] = found["total"] - found["failed"] - found["with_errors"] - found["with_warnings"]
    return found


def heading(record) -> str:
    return render("report/heading.html.j2", words=record.spec.title_words(record.agency, record.year),
                  contact=record.contact)


def part(record, findings, part_id: str) -> str:
    spec = next((p for p in record.spec.parts if p.id == part_id), None)
    if spec is None:  # a notebook made for another edition
        raise KeyError(f"{record.spec.name}没有“{part_id}”部分（有：{'、'.join(p.id for p in record.spec.parts)}）："
                       f"这份记录应使用模板笔记本 notebooks/{record.spec.notebook}")
    if spec.table:
        table = record.spec.tables[spec.table]
        blocks = grid.grid(table, record.tables.get(spec.table, {}), _marks(findings, spec.table))
        body = render("report/table.html.j2", table=table, blocks=blocks)
    else:
        text = record.parts.get(part_id, "")
        body = markdown(text) if text.strip() else ""
    title = record.spec.part_title(spec, record.year)
    return render("report/part.html.j2", part=spec, title=title, body=Markup(body))


def signature(record) -> str:
    return render("report/signature.html.j2", agency=record.signed_by or record.agency, date=record.date)


def review(record, findings, stale=(), form=None) -> str:
    """The findings for the reviewer (hidden when printed), numbered as the table marks, each
    with its decision; the decisions whose finding is gone; and, served by `nianbao review`,
    a form per finding (`form`: where it posts and the session's token)."""
    return render("report/review.html.j2", record=record, counts=counts(findings),
                  findings=list(enumerate(findings, 1)), stale=list(stale), open_errors=open_errors(findings),
                  decisions=list(DECISIONS), form=form)


def history(record, earlier) -> str:
    """Charts and year-on-year changes over the agency's years; nothing when there is one year."""
    years = [*earlier, record]
    if len(years) < 2 or not record.spec.history:
        return ""
    from . import figures as figures_of

    figures = figures_of.figures(years)
    notes = figures_of.mappings(years)
    return render("report/history.html.j2", agency=record.agency,
                  years=[r.year for r in sorted(years, key=lambda r: r.year)],
                  charts=[(title, uri, [n for chart, n in notes if chart == title])
                          for title, uri in figures_of.charts(figures)],
                  changes=figures_of.changes(figures))


def coverage(record, covered) -> str:
    """A government's appendix: every unit its tables add up, with its status; nothing for
    an agency's own report."""
    if covered is None:
        return ""
    blanks = [(record.spec.tables[table].name, count, names)
              for table, (count, names) in covered.blank_tables().items()]
    return render("report/coverage.html.j2", coverage=covered, rows=covered.lines(),
                  blanks=blanks)


def _marks(findings, table_id: str) -> dict:
    marks = defaultdict(list)
    for number, finding in enumerate(findings, 1):
        if finding.table == table_id and finding.column:
            marks[(finding.row, finding.column)].append((number, finding.severity, finding.message))
    return marks
