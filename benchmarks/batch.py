"""Time `nianbao run` against the route a user would otherwise script, in one run.

    .venv/bin/python benchmarks/batch.py            # N=20 agency-years
    .venv/bin/python benchmarks/batch.py --n 200

It builds a throwaway project of N synthetic agency-years (benchmarks/agencies.py: realistic,
consistent numbers and a narrative that states them). Then it renders them twice. First with `nianbao run`. Then as a shell
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
from agencies import write_project

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def make_project(folder: Path, n: int) -> list[Path]:
    """The template notebook and N synthetic agency-years; their params files."""
    shutil.copytree(ROOT / "notebooks", folder / "notebooks")
    return write_project(folder, n)


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
