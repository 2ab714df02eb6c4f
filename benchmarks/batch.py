"""Time `nianbao run` against the route a user would otherwise script, in one run.

    .venv/bin/python benchmarks/batch.py                              # N=20 agency-years
    .venv/bin/python benchmarks/batch.py --n 200
    .venv/bin/python benchmarks/batch.py --n 1000 --scripted-sample 10

It builds a throwaway project of N synthetic agency-years (benchmarks/agencies.py: realistic,
consistent numbers and a narrative that states them) and renders them with `nianbao run`.
Then it renders the first K of them (--scripted-sample, all N by default up to 200) as a
shell script would, one report after another: the papermill command line,
`jupyter nbconvert --to html --no-input`, `jupyter nbconvert --to nianbao_pdf` and
`--to nianbao_docx`. The
scripted route does the same work for every report, so its rate on K reports is its rate on N.

It prints reports per minute for both, their ratio, and each route's peak memory: the largest
total of its whole process tree (workers, fork servers and kernels included), sampled every
0.5 s. Memory is counted as PSS, each page shared between processes divided among them:
forked kernels share most of their pages with their fork server, and adding up resident sizes
would count those pages once per kernel. For `nianbao run` it also prints the peak over each
quarter of the run, which stays flat when memory does not grow with N.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
from agencies import write_project

from nianbao.batch import default_workers

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def make_project(folder: Path, n: int) -> list[Path]:
    """The template notebook and N synthetic agency-years; their params files."""
    shutil.copytree(ROOT / "notebooks", folder / "notebooks")
    return write_project(folder, n)


def tree_mib(root: psutil.Process) -> float:
    """The PSS of a process and all its descendants, in MiB."""
    total = 0
    for member in [root, *root.children(recursive=True)]:
        try:
            total += member.memory_full_info().pss
        except psutil.Error:  # it ended between listing and reading
            pass
    return total / 2**20


# Reading PSS costs about 6 ms per process (the kernel walks its page tables): sampling a
# batch's dozen processes every 0.1 s took 40% of a core from the batch being measured.
INTERVAL = 0.5


def run_measured(command: list, cwd: Path, done=lambda: 0) -> list[tuple[int, float]]:
    """Run a command to its end, sampling its tree's memory: (done(), MiB) every INTERVAL s."""
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    root, samples = psutil.Process(process.pid), []
    while process.poll() is None:
        samples.append((done(), tree_mib(root)))
        time.sleep(INTERVAL)
    if process.returncode:
        raise subprocess.CalledProcessError(process.returncode, command)
    return samples


def stage_seconds(out: Path) -> dict[str, float]:
    """The mean seconds a report spent in each stage of its worker (run.json: execute, html, pdf, docx)."""
    runs = [json.loads(path.read_text(encoding="utf-8"))["seconds"] for path in out.glob("*/*/run.json")]
    return {stage: sum(run[stage] for run in runs) / len(runs) for stage in runs[0]}


def time_nianbao(folder: Path, n: int, jobs: int) -> tuple[float, float, list[float]]:
    """Seconds, the peak MiB (the index, made after the last report, included), and the peak
    MiB in each quarter of the reports."""
    out = folder / "out-nianbao"
    started = time.perf_counter()
    samples = run_measured([BIN / "nianbao", "run", "--jobs", str(jobs), "--out", out], folder,
                           done=lambda: len(list(out.glob("*/*/run.json"))))
    seconds = time.perf_counter() - started
    quarters = [max((mib for count, mib in samples if q * n / 4 <= count < (q + 1) * n / 4), default=0)
                for q in range(4)]
    return seconds, max(mib for _, mib in samples), quarters


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
            [BIN / "jupyter", "nbconvert", "--to", "nianbao_docx", notebook],
        ):
            peak = max([peak, *(mib for _, mib in run_measured(command, folder))])
    return time.perf_counter() - started, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20, help="agency-years to render (default 20)")
    parser.add_argument("--jobs", type=int, default=None, help="nianbao run --jobs (default: nianbao's, cores + 1)")
    parser.add_argument("--scripted-sample", type=int, default=None, metavar="K",
                        help="time the scripted route on the first K agency-years (default: N, at most 200)")
    args = parser.parse_args()
    jobs = args.jobs or default_workers()
    sample = min(args.scripted_sample or 200, args.n)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        params = make_project(folder, args.n)
        nianbao_s, nianbao_mib, quarters = time_nianbao(folder, args.n, jobs)
        stages = stage_seconds(folder / "out-nianbao")
        scripted_s, scripted_mib = time_scripted(folder, params[:sample])
    nianbao_rate, scripted_rate = args.n / nianbao_s * 60, sample / scripted_s * 60
    print(f"N={args.n} agency-years, HTML, PDF and Word each, {os.cpu_count()} cores")
    print(f"{'route':<44}{'reports':>8}{'seconds':>9}{'reports/min':>13}{'peak MiB':>10}")
    print(f"{'nianbao run --jobs ' + str(jobs):<44}{args.n:>8}{nianbao_s:>9.1f}{nianbao_rate:>13.1f}{nianbao_mib:>10.0f}")
    print(f"{'papermill + nbconvert html, pdf and docx':<44}{sample:>8}{scripted_s:>9.1f}{scripted_rate:>13.1f}"
          f"{scripted_mib:>10.0f}")
    print(f"ratio: nianbao run makes {nianbao_rate / scripted_rate:.1f}x the scripted route's reports per minute")
    print("nianbao run, peak MiB by quarter of the reports done: " + " · ".join(f"{mib:.0f}" for mib in quarters))
    print("nianbao run, mean seconds a report spends in each stage of its worker: "
          + " · ".join(f"{stage} {seconds:.2f}" for stage, seconds in stages.items()))


if __name__ == "__main__":
    main()
