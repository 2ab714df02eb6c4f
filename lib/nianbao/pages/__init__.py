"""The HTML every page of nianbao is made of, from one Jinja environment.

Templates are found by name under templates/: `report/*` draw the report's document (a page,
its sections, the reviewers' panel) and hold its stylesheet, which the other pages share;
`batch/*` the desk, history and year-on-year pages; `audit/*` the audit's pages. Every template
autoescapes: text from agencies and imported reports is untrusted. The drawings of a report are
modules of their own: `html`, `typeset` (PDF) and `word`.
"""
from __future__ import annotations

import functools

from jinja2 import Environment, PackageLoader
from markupsafe import Markup

from ..checks.findings import counts
from ..editions.schema import SEVERITIES
from ..record import FIELDS
from ..reviews import DECISIONS, open_errors

environment = Environment(loader=PackageLoader("nianbao", "templates"), autoescape=True,
                          trim_blocks=True, lstrip_blocks=True)
# `tojson` in a single-quoted attribute (data-cell): the labels as they read, not as \u escapes
environment.policies["json.dumps_kwargs"] = {"ensure_ascii": False, "sort_keys": False}

# Where a finding about text stands, for people: a narrative part, a metadata field, or what
# the report adds (a government's coverage, the reviewers' decisions, the earlier years).
_PLACES = {"coverage": "涵盖单位", "reviews": "审核决定", "history": "历年记录"}


def place(part: str) -> str:
    if len(part) == 1 and part in "一二三四五六七八九":
        return f"第{part}部分"
    return FIELDS.get(part) or _PLACES.get(part, part)


environment.filters["place"] = place
environment.globals["severities"] = SEVERITIES
STYLESHEETS = ("report/report.css", "report/review.css")  # the report's look, and the review page's


def render(name: str, **context) -> Markup:
    """A template rendered: markup safe to place in another page (every template autoescapes)."""
    return Markup(environment.get_template(name).render(**context))


@functools.cache
def stylesheet(review: bool = False) -> Markup:
    """The report's stylesheet, which every report page inlines, and the pages that show a
    report's parts outside a report (the history pages); with `review`, the review page's rules
    after it (the panel, the marked cells): the review page, the audit's pages, JupyterLab."""
    sources = [environment.loader.get_source(environment, name)[0] for name in STYLESHEETS[:1 + review]]
    return Markup("\n".join(sources))


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
    return Markup(_scoped(rules(stylesheet(review=True))) + "\n" + tinycss2.serialize(rules(extra)))


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


def review(record, findings, stale=(), form=None, coverage=None) -> Markup:
    """The reviewers' panel of the review page: the findings, numbered as the table marks, each
    with its decision; the decisions whose finding is gone; a government's units with their
    internal statuses; and, served by `nianbao review`, a form per finding (`form`: where it
    posts and the session's token)."""
    return render("report/review.html.j2", record=record, counts=counts(findings),
                  findings=list(enumerate(findings, 1)), stale=list(stale), open_errors=open_errors(findings),
                  decisions=list(DECISIONS), form=form, coverage=coverage, rows=coverage.lines() if coverage else [])
