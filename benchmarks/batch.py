"""Time `nianbao run` against the route a user would otherwise script, in one run.

    .venv/bin/python benchmarks/batch.py            # N=20 agency-years
    .venv/bin/python benchmarks/batch.py --n 200

It builds a throwaway project of N agency-years: copies of the demo's annual reports (the
params files that name no other template), each with its own agency id. Then it renders them twice. First with `nianbao run`. Then as a shell
script would, one report after another: the papermill command line,
`jupyter nbconvert --to html --no-input`, and `jupyter nbconvert --to nianbao_pdf`.
It prints reports per minute for both, their ratio, and each route's peak memory: the
largest total resident memory of its whole process tree (workers and kernels included),
sampled every 0.1 s.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
import yaml

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def make_project(folder: Path, n: int) -> list[Path]:
    """N params files over copies of the demo records, agency ids made unique."""
    shutil.copytree(ROOT / "notebooks", folder / "notebooks")
    demos = [ROOT / params["record"] for params in
             (yaml.safe_load(path.read_text(encoding="utf-8")) for path in sorted((ROOT / "params").glob("*/*.yaml")))
             if "notebook" not in params]
    params = []
    for i in range(n):
        source = demos[i % len(demos)]
        record = yaml.safe_load(source.read_text(encoding="utf-8"))
        record["agency_id"] = f"{record['agency_id']}-{i:04d}"
        year = record["year"]
        data = folder / "data" / str(year) / f"{record['agency_id']}.yaml"
        data.parent.mkdir(parents=True, exist_ok=True)
        data.write_text(yaml.safe_dump(record, allow_unicode=True, sort_keys=False), encoding="utf-8")
        param = folder / "params" / str(year) / data.name
        param.parent.mkdir(parents=True, exist_ok=True)
        param.write_text(yaml.safe_dump({"agency_id": record["agency_id"], "year": year,
                                         "record": str(data.relative_to(folder))}), encoding="utf-8")
        params.append(param)
    return params


def run_measured(command: list, cwd: Path) -> float:
    """Run a command to its end; the peak MiB its process tree held at once."""
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    tree, peak = psutil.Process(process.pid), 0
    while process.poll() is None:
        total = 0
        for member in [tree, *tree.children(recursive=True)]:
            try:
                total += member.memory_info().rss
            except psutil.Error:  # it ended between listing and reading
                pass
        peak = max(peak, total)
        time.sleep(0.1)
    if process.returncode:
        raise subprocess.CalledProcessError(process.returncode, command)
    return peak / 2**20


def time_nianbao(folder: Path, jobs: int) -> tuple[float, float]:
    started = time.perf_counter()
    peak = run_measured([BIN / "nianbao", "run", "--jobs", str(jobs), "--out", "out-nianbao"], folder)
    return time.perf_counter() - started, peak


def time_scripted(folder: Path, params: list[Path]) -> tuple[float, float]:
    out = folder / "out-scripted"
    out.mkdir()
    started, peak = time.perf_counter(), 0.0
    for param in params:
        notebook = out / f"{param.stem}.ipynb"
        for command in (
            [BIN / "papermill", "notebooks/annual_report.ipynb", notebook, "-f", param, "--no-progress-bar"],
            [BIN / "jupyter", "nbconvert", "--to", "html", "--no-input", notebook],
            [BIN / "jupyter", "nbconvert", "--to", "nianbao_pdf", notebook],
        ):
            peak = max(peak, run_measured(command, folder))
    return time.perf_counter() - started, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20, help="agency-years to render (default 20)")
    parser.add_argument("--jobs", type=int, default=None, help="nianbao run --jobs (default: cores)")
    args = parser.parse_args()
    jobs = args.jobs or os.cpu_count()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        params = make_project(folder, args.n)
        nianbao_s, nianbao_mib = time_nianbao(folder, jobs)
        scripted_s, scripted_mib = time_scripted(folder, params)
    rate = lambda seconds: args.n / seconds * 60
    print(f"N={args.n} agency-years, HTML and PDF each, {os.cpu_count()} cores")
    print(f"{'route':<44}{'seconds':>9}{'reports/min':>13}{'peak MiB':>10}")
    print(f"{'nianbao run --jobs ' + str(jobs):<44}{nianbao_s:>9.1f}{rate(nianbao_s):>13.1f}{nianbao_mib:>10.0f}")
    print(f"{'papermill + nbconvert html + nbconvert pdf':<44}{scripted_s:>9.1f}{rate(scripted_s):>13.1f}{scripted_mib:>10.0f}")
    print(f"ratio: nianbao run is {scripted_s / nianbao_s:.1f}x the scripted route")


if __name__ == "__main__":
    main()
