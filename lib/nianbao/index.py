"""The page a reviewer starts from: every agency-year of an output folder, worst first."""
from __future__ import annotations

import json
from pathlib import Path

from jinja2 import Environment, PackageLoader

from .batch import load_outcomes

_templates = Environment(loader=PackageLoader("nianbao", "templates/batch"), autoescape=True,
                         trim_blocks=True, lstrip_blocks=True)


def write_index(out: Path) -> Path:
    rows = []
    for outcome in load_outcomes(out):
        folder = out / outcome.folder
        files = [name for name in ("report.html", "report.pdf", "report.ipynb", "checks.json", "report.failed.ipynb")
                 if (folder / name).exists()]
        findings = []
        if (folder / "checks.json").exists():
            findings = json.loads((folder / "checks.json").read_text(encoding="utf-8"))["findings"]
        rows.append({"outcome": outcome, "folder": outcome.folder, "files": files,
                     "rules": sorted({f["rule"] for f in findings if f["severity"] == "error"})})
    rows.sort(key=lambda r: (r["outcome"].ok, -r["outcome"].errors, -r["outcome"].warnings,
                             -r["outcome"].year, r["outcome"].agency_id))
    summary = {
        "total": len(rows),
        "failed": sum(not r["outcome"].ok for r in rows),
        "with_errors": sum(r["outcome"].ok and r["outcome"].errors > 0 for r in rows),
        "with_warnings": sum(r["outcome"].ok and not r["outcome"].errors and r["outcome"].warnings > 0 for r in rows),
    }
    summary["clean"] = summary["total"] - summary["failed"] - summary["with_errors"] - summary["with_warnings"]
    path = out / "index.html"
    path.write_text(_templates.get_template("index.html.j2").render(rows=rows, summary=summary), encoding="utf-8")
    return path
