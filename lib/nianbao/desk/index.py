"""The pages a reviewer starts from: the desk (every agency-year of an output folder, worst
first, and every finding with its decision), and each agency's history over its years."""
from __future__ import annotations

import base64
import hashlib
import json
from collections import defaultdict
from pathlib import Path

from markupsafe import Markup

from .. import ids, pages, reviews
from ..batch.folder import FILES, Outcome, load_outcomes
from ..checks.findings import Finding, counts, report_counts
from ..consolidation import Coverage
from ..document import build
from ..pages import html
from ..record import Record
from . import compare


def write_index(out: Path) -> Path:
    """index.html: the reviewer's desk over every agency-year of the output folder."""
    histories = write_histories(out, load_outcomes(out))
    path = out / "index.html"
    path.write_text(index_page(out, histories), encoding="utf-8")
    return path


def index_page(out: Path, histories: dict[str, str], *, form: dict | None = None, root: Path = Path(".")) -> str:
    """The index: every report, worst first, and every finding with its decision, to filter,
    sort and search in the page. Decisions are read from the project's reviews/ files as they
    are now (reviews.py), so the page served by `nianbao review` shows one the moment it is
    made; `form` (where forms post, the session's token) adds a form to each finding there."""
    rows, findings = [], []
    for outcome in load_outcomes(out):
        folder = out / outcome.folder
        checked = checks_of(folder / "checks.json")
        decided, _ = decided_findings(checked, root, outcome.folder)
        row = {"outcome": outcome, "folder": outcome.folder, "key": outcome.folder,
               "coverage": _coverage(checked.get("coverage"), out),
               "files": [name for name in FILES if (folder / name).exists()],
               "history": histories.get(outcome.agency_id) if (folder / "record.json").exists() else None,
               "rules": sorted({f.rule for f in decided if f.severity == "error"}),
               "errors": counts(decided).errors,
               "open_errors": reviews.open_errors(decided),
               "decided": sum(bool(f.decision) for f in decided)}
        row["status"] = _status(outcome.ok, row["open_errors"], outcome.warnings)
        rows.append(row)
        findings += [{**f.to_dict(), "report": row, "n": n} for n, f in enumerate(decided, 1)]
    rows.sort(key=lambda r: (r["outcome"].ok, -r["open_errors"], -r["outcome"].warnings,
                             -r["outcome"].year, r["outcome"].agency_id))
    summary = report_counts((r["outcome"].ok, r["open_errors"], r["outcome"].warnings) for r in rows)
    summary["settled"] = sum(r["errors"] > 0 and not r["open_errors"] for r in rows)
    script = pages.environment.get_template("desk/desk.js").render()
    return pages.render("desk/index.html.j2", rows=rows, findings=findings, summary=summary, files=FILES,
                        decisions=list(reviews.DECISIONS), form=form,
                        script=Markup(script), script_hash=_hash(script),
                        years=sorted({r["outcome"].year for r in rows}, reverse=True),
                        rules=sorted({f["rule"] for f in findings}))


def _status(made: bool, open_errors: int, warnings: int) -> str:
    """What the desk's 状态 filter calls a report (report_counts counts the same four)."""
    if not made:
        return "failed"
    return "errors" if open_errors else ("warnings" if warnings else "clean")


def decided_findings(checked: dict, root: Path, folder: str) -> tuple[list[Finding], list[reviews.Decision]]:
    """A report's findings (its checks.json, read by `checks_of`) with the decisions its reviews
    file holds now, and the decisions whose finding is gone: what the desk and `nianbao review`
    show. When the reviews file cannot be read, the findings keep the decisions checks.json
    recorded (the report's own finding says why the file cannot be used)."""
    known = set(Finding.__dataclass_fields__)
    findings = [Finding(**{key: value for key, value in f.items() if key in known}) for f in checked["findings"]]
    year, _, name = folder.partition("/")
    try:
        decisions = reviews.load(reviews.path_of(root, int(year), name)) if year.isdigit() else {}
    except reviews.ReviewsError:
        return findings, []
    return reviews.apply(findings, decisions)


def _hash(script: str) -> str:
    """The CSP source that lets the page run its own script and no other."""
    return "sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()


def write_histories(out: Path, outcomes: list[Outcome]) -> dict[str, str]:
    """history/<agency-id>.html for every agency with two years or more; their paths by agency."""
    years: dict[str, list[tuple[Record, str]]] = defaultdict(list)
    for outcome in outcomes:
        record = _record(out / outcome.folder / "record.json")
        if record and record.spec.history:  # documents without tables (work summaries) have none
            years[outcome.agency_id].append((record, outcome.folder))
    made = {}
    style = pages.stylesheet()
    for agency_id, found in years.items():
        if len({record.year for record, _ in found}) < 2:
            continue
        found.sort(key=lambda item: item[0].year)
        latest = found[-1][0]
        charts = html.section(build.history(latest, [record for record, _ in found[:-1]]))
        page = ids.inside(out, "history", f"{agency_id}.html")  # an id from run.json: checked again
        page.parent.mkdir(exist_ok=True)
        page.write_text(pages.render(
            "desk/history.html.j2", agency=latest.agency, reports=[(record.year, folder) for record, folder in found],
            charts=charts, style=style, comparisons=compare.write_pages(out, agency_id, found)), encoding="utf-8")
        made[agency_id] = f"history/{agency_id}.html"
    return made


def checks_of(path: Path) -> dict:
    """What a report's checks.json holds: its findings, and a government's coverage; no
    findings when it is missing or damaged."""
    try:
        checked = json.loads(path.read_text(encoding="utf-8"))
        return {**checked, "findings": [f for f in checked["findings"]
                                         if isinstance(f, dict) and {"rule", "severity", "message"} <= f.keys()]}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {"findings": []}


def _coverage(data, out: Path) -> dict | None:
    """A government's coverage for its index row: the summary line, and each unit with its
    status and a link to its report when there is one."""
    try:
        coverage = Coverage.from_dict(data) if data else None
    except (KeyError, TypeError, AttributeError):  # a checks.json another version wrote
        return None
    if coverage is None:
        return None
    units = []
    for _, depth, unit in coverage.lines():
        year, _, name = unit.folder.partition("/")
        # a folder read from checks.json becomes a link: only the <year>/<id> the batch writes
        has_report = year.isdigit() and not ids.problem(name) and (out / year / name / "review.html").is_file()
        units.append({"unit": unit, "depth": depth, "link": f"{unit.folder}/review.html" if has_report else ""})
    return {"summary": coverage.summary(), "counts": coverage.counts(), "units": units}


def _record(path: Path) -> Record | None:
    """The record a report's record.json holds, or None when it is missing or cannot be read:
    that year is then left out of the agency's history page."""
    try:
        return Record.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError):
        return None
