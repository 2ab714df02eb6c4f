"""The pages a reviewer starts from: every agency-year of an output folder, worst first, and
each agency's history over the years it has reports for."""
from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

from .. import ids, pages
from ..batch.folder import FILES, Outcome, load_outcomes
from ..consolidation import Coverage
from ..record import STATUSES, Record


def write_index(out: Path) -> Path:
    outcomes = load_outcomes(out)
    histories = write_histories(out, outcomes)
    rows = []
    for outcome in outcomes:
        folder = out / outcome.folder
        checked = _checks(folder / "checks.json")
        findings = checked["findings"]
        rows.append({"outcome": outcome, "folder": outcome.folder,
                     "coverage": _coverage(checked.get("coverage"), out),
                     "files": [name for name in FILES if (folder / name).exists()],
                     "history": histories.get(outcome.agency_id) if (folder / "record.json").exists() else None,
                     "rules": sorted({f["rule"] for f in findings if f["severity"] == "error"})})
    rows.sort(key=lambda r: (r["outcome"].ok, -r["outcome"].errors, -r["outcome"].warnings,
                             -r["outcome"].year, r["outcome"].agency_id))
    summary = pages.summary((r["outcome"].ok, r["outcome"].errors, r["outcome"].warnings) for r in rows)
    path = out / "index.html"
    path.write_text(pages.render("batch/index.html.j2", rows=rows, summary=summary, files=FILES, statuses=STATUSES),
                    encoding="utf-8")
    return path


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
        charts = pages.history(latest, [record for record, _ in found[:-1]])
        page = ids.inside(out, "history", f"{agency_id}.html")  # an id from run.json: checked again
        page.parent.mkdir(exist_ok=True)
        page.write_text(pages.render(
            "batch/history.html.j2", agency=latest.agency, reports=[(record.year, folder) for record, folder in found],
            charts=charts, style=style), encoding="utf-8")
        made[agency_id] = f"history/{agency_id}.html"
    return made


def _checks(path: Path) -> dict:
    """What a report's checks.json holds: its findings, and a government's coverage; no
    findings when it is missing or damaged."""
    try:
        checked = json.loads(path.read_text(encoding="utf-8"))
        return {**checked, "findings": [f for f in checked["findings"] if isinstance(f, dict)]}
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
        has_report = year.isdigit() and not ids.problem(name) and (out / year / name / "report.html").is_file()
        units.append({"unit": unit, "depth": depth, "link": f"{unit.folder}/report.html" if has_report else ""})
    return {"summary": coverage.summary(), "counts": coverage.counts(), "units": units}


def _record(path: Path) -> Record | None:
    """The record a report's record.json holds, or None when it is missing or cannot be read:
    that year is then left out of the agency's history page."""
    try:
        return Record.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError):
        return None
