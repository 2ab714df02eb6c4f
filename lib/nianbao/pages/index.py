"""The pages a reviewer starts from: every agency-year of an output folder, worst first, and
each agency's history over the years it has reports for."""
from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

from .. import ids, pages
from ..batch.folder import FILES, Outcome, load_outcomes
from ..record import Record


def write_index(out: Path) -> Path:
    outcomes = load_outcomes(out)
    histories = write_histories(out, outcomes)
    rows = []
    for outcome in outcomes:
        folder = out / outcome.folder
        findings = _findings(folder / "checks.json")
        rows.append({"outcome": outcome, "folder": outcome.folder,
                     "files": [name for name in FILES if (folder / name).exists()],
                     "history": histories.get(outcome.agency_id) if (folder / "record.json").exists() else None,
                     "rules": sorted({f["rule"] for f in findings if f["severity"] == "error"})})
    rows.sort(key=lambda r: (r["outcome"].ok, -r["outcome"].errors, -r["outcome"].warnings,
                             -r["outcome"].year, r["outcome"].agency_id))
    summary = pages.summary((r["outcome"].ok, r["outcome"].errors, r["outcome"].warnings) for r in rows)
    path = out / "index.html"
    path.write_text(pages.render("batch/index.html.j2", rows=rows, summary=summary, files=FILES), encoding="utf-8")
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


def _findings(path: Path) -> list[dict]:
    """The findings a report's checks.json holds; none when it is missing or damaged."""
    try:
        return [f for f in json.loads(path.read_text(encoding="utf-8"))["findings"] if isinstance(f, dict)]
    except (OSError, ValueError, KeyError, TypeError):
        return []


def _record(path: Path) -> Record | None:
    """The record a report's record.json holds, or None when it is missing or cannot be read:
    that year is then left out of the agency's history page."""
    try:
        return Record.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError):
        return None
