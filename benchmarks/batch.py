"""Time `nianbao run` against the route a user would otherwise script, in one run.

    .venv/bin/python benchmarks/batch.py                              # N=20 agency-years
    .venv/bin/python benchmarks/batch.py --n 200
    .venv/bin/python benchmarks/batch.py --n 1000 --scripted-sample 10
    .venv/bin/python benchmarks/batch.py --demo                       # the project's 15 demo documents

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

And where `nianbao run`'s CPU goes: the CPU seconds a report spends in each stage (run.json's
`cpu`: execute with its kernel, HTML, PDF, Word; the index, made once for the batch, measured
again here and shared out), the floor they imply on this machine (cores × 60 / CPU seconds a
report: what the stages allow if nothing else ran), the share of it the run reached, and the
CPU the run spent beyond its stages (starting workers and fork servers, the first use of fonts
and templates, the batch's own bookkeeping). The total is every process of the run, kernels
included: this process adopts the run's orphans (a fork server outlives its worker) and reaps
them, so that their CPU time reaches its own.

    .venv/bin/python benchmarks/batch.py --n 200 --scheduler local      # on a Dask LocalCluster
    .venv/bin/python benchmarks/batch.py --n 200 --scheduler tcp://host:8786

`--scheduler local` starts a Dask cluster of `--jobs` single-threaded worker processes here and
runs the same N on it, with the same figures, so that scaling with workers can be read off
(run it with --jobs 1, 2, 3). A remote scheduler's workers are not this machine's: the floor
and the total CPU are then left out.
"""
from __future__ import annotations

import argparse
import contextlib
import ctypes
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
import yaml
from agencies import write_project

from nianbao.batch import default_workers, discover

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def make_project(folder: Path, n: int, demo: bool = False) -> list[Path]:
    """The template notebook and N synthetic agency-years, or the project's own demo data;
    their params files."""
    shutil.copytree(ROOT / "notebooks", folder / "notebooks")
    if not demo:
        return write_project(folder, n)
    for name in ("data", "params"):
        shutil.copytree(ROOT / name, folder / name)
    return sorted((folder / "params").glob("*/*.yaml"))


def tree_mib() -> float:
    """The PSS of this process's descendants (the command, and a Dask cluster's workers), in MiB."""
    total = 0
    for member in psutil.Process().children(recursive=True):
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
    samples = []
    while process.poll() is None:
        samples.append((done(), tree_mib()))
        reap_orphans(process.pid)
        time.sleep(INTERVAL)
    if process.returncode:
        raise subprocess.CalledProcessError(process.returncode, command)
    return samples


def adopt_orphans() -> None:
    """Become the parent of this process's orphaned descendants (Linux), so that reaping them
    adds their CPU time, and that of the kernels they reaped, to RUSAGE_CHILDREN."""
    PR_SET_CHILD_SUBREAPER = 36
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1)


def reap_orphans(keep: int | None = None, wait: float = 0.0) -> None:
    """Reap the ended children other than `keep` (the command Popen waits for itself); with
    `wait`, give the last orphans (fork servers closing after their worker) that long to end."""
    deadline = time.monotonic() + wait
    while True:
        try:
            ended = os.waitid(os.P_ALL, 0, os.WEXITED | os.WNOHANG | os.WNOWAIT)
        except ChildProcessError:
            return
        if ended is None or ended.si_pid == keep:
            if time.monotonic() >= deadline:
                return
            time.sleep(0.05)
            continue
        os.waitpid(ended.si_pid, 0)


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def stage_cpu(out: Path) -> dict[str, float]:
    """The mean CPU seconds a report spent in each stage of its worker (run.json's cpu)."""
    runs = [json.loads(path.read_text(encoding="utf-8"))["cpu"] for path in out.glob("*/*/run.json")]
    return {stage: sum(run[stage] for run in runs) / len(runs) for stage in runs[0]}


def index_cpu(out: Path) -> float:
    """The CPU seconds of making the batch's index (and history pages) as `nianbao run` does."""
    from nianbao.desk.index import write_index

    started = time.process_time()
    write_index(out)
    return time.process_time() - started


def time_nianbao(folder: Path, n: int, jobs: int, scheduler: str | None) -> dict:
    """Seconds, CPU seconds of the whole run, the peak MiB (the index, made after the last
    report, included) and the peak MiB in each quarter of the reports. With `scheduler`
    "local", on a Dask cluster of `jobs` workers started for the run (the scheduler runs in
    this process, its CPU is not counted; the workers' is, and their memory)."""
    out = folder / "out-nianbao"
    cpu = children_cpu()
    with (dask_cluster(jobs) if scheduler == "local" else contextlib.nullcontext(scheduler)) as address:
        where = ["--scheduler", address] if address else ["--jobs", str(jobs)]
        started = time.perf_counter()
        samples = run_measured([BIN / "nianbao", "run", *where, "--out", out], folder,
                               done=lambda: len(list(out.glob("*/*/run.json"))))
        seconds = time.perf_counter() - started
    reap_orphans(wait=2.0)
    quarters = [max((mib for count, mib in samples if q * n / 4 <= count < (q + 1) * n / 4), default=0)
                for q in range(4)]
    return {"seconds": seconds, "cpu": children_cpu() - cpu, "mib": max(mib for _, mib in samples),
            "quarters": quarters}


@contextlib.contextmanager
def dask_cluster(workers: int):
    """A Dask cluster of `workers` single-threaded worker processes on this machine; its address.
    Its processes are children of this one, and their CPU is counted when it closes."""
    import dask
    from distributed import LocalCluster

    # as README tells: workers that may have children fork their reports' kernels
    dask.config.set({"distributed.worker.daemon": False})
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        yield cluster.scheduler_address


def time_scripted(folder: Path, count: int) -> tuple[float, float]:
    """Seconds and peak MiB of the first `count` reports made one after another by the tools'
    own command lines, each given the notebook and parameters nianbao gives it (its edition's
    template; last year's record, earlier years', a government's units), which a script
    would have to work out as well."""
    out = folder / "out-scripted"
    out.mkdir()
    here = Path.cwd()
    os.chdir(folder)  # discover reads the project as `nianbao run` does, from its folder
    try:
        jobs = discover(None)[:count]
    finally:
        os.chdir(here)
    started, peak = time.perf_counter(), 0.0
    for number, job in enumerate(jobs):
        notebook, parameters = out / f"{number}.ipynb", out / f"{number}.yaml"
        parameters.write_text(yaml.safe_dump(job.parameters, allow_unicode=True), encoding="utf-8")
        for command in (
            [BIN / "papermill", job.notebook, notebook, "-f", parameters, "--no-progress-bar"],
            [BIN / "jupyter", "nbconvert", "--to", "html", "--no-input", notebook],
            [BIN / "jupyter", "nbconvert", "--to", "nianbao_pdf", notebook],
            [BIN / "jupyter", "nbconvert", "--to", "nianbao_docx", notebook],
        ):
            peak = max([peak, *(mib for _, mib in run_measured(command, folder))])
    return time.perf_counter() - started, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20, help="agency-years to render (default 20)")
    parser.add_argument("--jobs", type=int, default=None,
                        help="nianbao run --jobs, or the workers of --scheduler local (default: nianbao's, cores + 1)")
    parser.add_argument("--scheduler", default=None, metavar="ADDRESS",
                        help="run on a Dask cluster: `local` starts one of --jobs workers here, or a scheduler's address")
    parser.add_argument("--demo", action="store_true",
                        help="the project's own demo documents (data/, params/) instead of N synthetic ones")
    parser.add_argument("--scripted-sample", type=int, default=None, metavar="K",
                        help="time the scripted route on the first K agency-years (default: N, at most 200)")
    args = parser.parse_args()
    jobs = args.jobs or default_workers()
    here = args.scheduler in (None, "local")  # the run's processes are this machine's, and counted
    adopt_orphans()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        params = make_project(folder, args.n, args.demo)
        args.n = len(params)
        sample = min(args.scripted_sample or 200, args.n)
        run = time_nianbao(folder, args.n, jobs, args.scheduler)
        stages = stage_cpu(folder / "out-nianbao")
        stages["index"] = index_cpu(folder / "out-nianbao") / args.n
        scripted_s, scripted_mib = time_scripted(folder, sample)
    nianbao_rate, scripted_rate = args.n / run["seconds"] * 60, sample / scripted_s * 60
    cores = os.cpu_count()
    route = f"nianbao run --scheduler {args.scheduler} ({jobs} workers)" if args.scheduler else f"nianbao run --jobs {jobs}"
    what = "the demo's documents" if args.demo else "agency-years"
    print(f"N={args.n} {what}, HTML, PDF and Word each, {cores} cores")
    print(f"{'route':<48}{'reports':>8}{'seconds':>9}{'reports/min':>13}{'peak MiB':>10}")
    print(f"{route:<48}{args.n:>8}{run['seconds']:>9.1f}{nianbao_rate:>13.1f}{run['mib']:>10.0f}")
    print(f"{'papermill + nbconvert html, pdf and docx':<48}{sample:>8}{scripted_s:>9.1f}{scripted_rate:>13.1f}"
          f"{scripted_mib:>10.0f}")
    print(f"ratio: nianbao run makes {nianbao_rate / scripted_rate:.1f}x the scripted route's reports per minute")
    print("nianbao run, peak MiB by quarter of the reports done: " + " · ".join(f"{mib:.0f}" for mib in run["quarters"]))
    per_report = sum(stages.values())
    print("CPU seconds a report, by stage: " + " · ".join(f"{stage} {seconds:.3f}" for stage, seconds in stages.items())
          + f" = {per_report:.3f}")
    if here:
        floor = cores * 60 / per_report
        print(f"floor on {cores} cores: {floor:.1f} reports/min; the run reached {nianbao_rate:.1f}, "
              f"{nianbao_rate / floor:.0%} of it")
        beyond = run["cpu"] / args.n - per_report
        print(f"CPU seconds the whole run spent: {run['cpu']:.1f} ({run['cpu'] / args.n:.3f} a report, "
              f"{beyond:+.3f} beyond the stages: starting workers, fork servers, first fonts and templates)")
    else:
        print("(a remote cluster: the floor and the run's total CPU are its machines', not measured here)")


if __name__ == "__main__":
    main()
