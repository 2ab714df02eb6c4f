"""Time a government's report over N covered units against reading the N records alone.

    .venv/bin/python benchmarks/consolidation.py               # N = 40 and 1000
    .venv/bin/python benchmarks/consolidation.py --n 3000

A government's report reads every unit it covers, checks it (for its status in the appendix)
and sums tables 二, 三 and 四 cell by cell (consolidation.py). The plain alternative is the
least any tool must do: read the N records. Both run in this process, on the synthetic
agencies of benchmarks/agencies.py; the figures are seconds for the whole scope and
milliseconds a unit, side by side.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from agencies import write_project

from nianbao import intake
from nianbao.batch import discover
from nianbao.report import Report

ROOT = Path(__file__).resolve().parents[1]


def measure(count: int) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        write_project(folder, count)
        government = folder / "data/2023/government.yaml"
        government.write_text((ROOT / "data/2023/shili-szf.yaml").read_text(encoding="utf-8")
                              .replace("agency_id: shili-szf", "agency_id: government"), encoding="utf-8")
        (folder / "params/2023/government.yaml").write_text(
            "agency_id: government\nyear: 2023\nrecord: data/2023/government.yaml\ncovers: [params/2023/]\n",
            encoding="utf-8")
        jobs = discover(None, folder / "params", folder, notebooks=ROOT / "notebooks")
        [job] = [j for j in jobs if j.agency_id == "government"]
        assert not job.problem, job.problem
        records = [unit["record"] for unit in job.parameters["covers"]]
        assert len(records) == count, job.problem

        started = time.perf_counter()
        for path in records:
            intake.read(path)
        plain = time.perf_counter() - started

        started = time.perf_counter()
        report = Report.load(job.parameters["record"], year=2023, agency_id="government",
                             covers=job.parameters["covers"])
        consolidated = time.perf_counter() - started
        assert report.covered.counts()["clean"] == count
        return plain, consolidated


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, action="append", help="units covered (repeatable; default 40 and 1000)")
    counts = parser.parse_args().n or [40, 1000]
    print(f"{'units':>6}  {'read records (s)':>17}  {'government report (s)':>22}  {'ms a unit':>16}")
    for count in counts:
        plain, consolidated = measure(count)
        print(f"{count:>6}  {plain:>17.2f}  {consolidated:>22.2f}  "
              f"{1000 * plain / count:>6.1f} vs {1000 * consolidated / count:>6.1f}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
