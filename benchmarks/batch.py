"""Time `nianbao run` against the route a user would otherwise script, in one run.

    .venv/bin/python benchmarks/batch.py                              # N=20 agency-years
    .venv/bin/python benchmarks/batch.py --n 200
    .venv/bin/python benchmarks/batch.py --n 1000 --scripted-sample 10
    .venv/bin/python benchmarks/batch.py --demo                       # the project's 15 demo documents

It builds a throwaway project of N synthetic agency-years (benchmarks/agencies.py: realistic,
consistent numbers and a narrative that states them) and renders them with `nianbao run`.
Then it renders the first K of them (--scripted-sample, 10 by default) as a shell script
would, with the tools' own command lines and the batch's own exporters, so that it makes the
same files: papermill's command line, then `jupyter nbconvert --to nianbao_html` (the public
page), `--to nianbao_review` (the review page), `--to nianbao_pdf` and `--to nianbao_docx`. It
does so twice: one report after another, and in
parallel, as many reports at a time as the batch has workers, each worker taking the next
report when it is done with one (as `xargs -P` would). The scripted route does the same work
for every report, so its rate on K reports is its rate on N.

It prints, for each route: reports, seconds, reports per minute, CPU seconds a report and
reports per CPU-minute (the CPU of its whole process tree: commands, kernels, workers, fork
servers and typesetters, each counted when it is reaped), and its peak memory: the largest PSS
of its process tree, sampled every 0.5 s beside it (benchmarks/measuring.py; each command is
timed by its own exit, not by a sample). For `nianbao run` it also prints the peak over each
quarter of the run, which stays flat when memory does not grow with N, and for each route the
mean size of each file of the K reports, which shows that the routes made the same files.

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
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import yaml
from agencies import write_project
from measuring import quarters, sampled, seconds_of

from nianbao.batch import default_workers, discover

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
# The files of a report both routes make: nbconvert's exporter, the batch's file, the script's suffix.
FILES = {"nianbao_html": ("report.html", ".html"), "nianbao_review": ("review.html", ".review.html"),
         "nianbao_pdf": ("report.pdf", ".pdf"), "nianbao_docx": ("report.docx", ".docx")}


def make_project(folder: Path, n: int, demo: bool = False) -> list[Path]:
    """The template notebook and N synthetic agency-years, or the project's own demo data;
    their params files."""
    shutil.copytree(ROOT / "notebooks", folder / "notebooks")
    if not demo:
        return write_project(folder, n)
    for name in ("data", "params"):
        shutil.copytree(ROOT / name, folder / name)
    return sorted((folder / "params").glob("*/*.yaml"))


def measured(route, done=lambda: 0) -> dict:
    """Run a route (`route()` returns its seconds): its seconds, the CPU seconds of every process
    it started, its memory samples and their peak MiB."""
    cpu = children_cpu()
    with sampled(done) as samples:
        seconds = route()
    reap_orphans(wait=2.0)
    return {"seconds": seconds, "cpu": children_cpu() - cpu, "samples": samples,
            "mib": max(mib for _, mib in samples)}


def run(command: list, cwd: Path) -> None:
    """Run a command to its end; it has ended when its own process has (Popen.wait)."""
    subprocess.run(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)


def adopt_orphans() -> None:
    """Become the parent of this process's orphaned descendants (Linux), so that reaping them
    adds their CPU time, and that of the kernels they reaped, to RUSAGE_CHILDREN."""
    PR_SET_CHILD_SUBREAPER = 36
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1)


def reap_orphans(wait: float) -> None:
    """Reap the ended orphans a route left (fork servers that outlived their worker, typesetters
    that outlived their nbconvert), giving the last of them `wait` seconds to end. Run between
    routes only, when no command is running: a command is reaped by its own wait."""
    deadline = time.monotonic() + wait
    while True:
        try:
            ended = os.waitid(os.P_ALL, 0, os.WEXITED | os.WNOHANG)
        except ChildProcessError:  # none left
            return
        if ended is None:
            if time.monotonic() >= deadline:
                return
            time.sleep(0.05)


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
    """`nianbao run` measured, with the peak MiB in each quarter of the reports (the index, made
    after the last report, in the last). With `scheduler` "local", on a Dask cluster of `jobs`
    workers started for the run: its start is not timed; its workers' CPU and memory count (the
    scheduler runs in this process, its CPU does not)."""
    out = folder / "out-nianbao"

    def route() -> float:
        with (dask_cluster(jobs) if scheduler == "local" else contextlib.nullcontext(scheduler)) as address:
            where = ["--scheduler", address] if address else ["--jobs", str(jobs)]
            return seconds_of(lambda: run([BIN / "nianbao", "run", *where, "--out", out], folder))

    figures = measured(route, done=lambda: len(list(out.glob("*/*/run.json"))))
    return {**figures, "quarters": quarters(figures["samples"], n)}


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


def scripted_jobs(folder: Path, count: int) -> list:
    """The first `count` reports as nianbao gives them to papermill: each one's notebook (its
    edition's template) and parameters (last year's record, earlier years', a government's
    units), which a script would have to work out as well."""
    here = Path.cwd()
    os.chdir(folder)  # discover reads the project as `nianbao run` does, from its folder
    try:
        return discover(None)[:count]
    finally:
        os.chdir(here)


def time_scripted(folder: Path, jobs: list, at_a_time: int, out: Path) -> dict:
    """The reports made by the tools' own command lines, `at_a_time` of them at once, each
    command taking the next report as it is done with one (as `xargs -P` does), measured. Their
    files go to out/<number>.html, .pdf and .docx."""
    out.mkdir()

    def script(numbered) -> None:
        number, job = numbered
        notebook, parameters = out / f"{number}.ipynb", out / f"{number}.yaml"
        parameters.write_text(yaml.safe_dump(job.parameters, allow_unicode=True), encoding="utf-8")
        run([BIN / "papermill", job.notebook, notebook, "-f", parameters, "--no-progress-bar"], folder)
        for exporter in FILES:
            run([BIN / "jupyter", "nbconvert", "--to", exporter, notebook], folder)

    def route() -> float:
        with ThreadPoolExecutor(at_a_time) as pool:
            return seconds_of(lambda: list(pool.map(script, enumerate(jobs))))

    return measured(route)


def mean_kb(paths: list[Path]) -> float:
    return sum(path.stat().st_size for path in paths) / len(paths) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20, help="agency-years to render (default 20)")
    parser.add_argument("--jobs", type=int, default=None,
                        help="nianbao run --jobs, or the workers of --scheduler local, and the scripts run at a time "
                             "(default: nianbao's, cores + 1)")
    parser.add_argument("--scheduler", default=None, metavar="ADDRESS",
                        help="run on a Dask cluster: `local` starts one of --jobs workers here, or a scheduler's address")
    parser.add_argument("--demo", action="store_true",
                        help="the project's own demo documents (data/, params/) instead of N synthetic ones")
    parser.add_argument("--scripted-sample", type=int, default=10, metavar="K",
                        help="time the scripted routes on the first K agency-years (default 10, at most N)")
    args = parser.parse_args()
    jobs = args.jobs or default_workers()
    here = args.scheduler in (None, "local")  # the run's processes are this machine's, and counted
    adopt_orphans()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        params = make_project(folder, args.n, args.demo)
        args.n = len(params)
        sample = scripted_jobs(folder, min(args.scripted_sample, args.n))
        routes = {"nianbao": time_nianbao(folder, args.n, jobs, args.scheduler)}
        stages = stage_cpu(folder / "out-nianbao")
        stages["index"] = index_cpu(folder / "out-nianbao") / args.n
        routes["script"] = time_scripted(folder, sample, 1, folder / "out-script")
        routes["parallel"] = time_scripted(folder, sample, jobs, folder / "out-parallel")
        sizes = {  # of the same reports' files, as each route made them
            "nianbao": [mean_kb([folder / "out-nianbao" / job.folder / name for job in sample])
                        for name, _ in FILES.values()],
            **{route: [mean_kb([folder / f"out-{route}" / f"{number}{suffix}" for number in range(len(sample))])
                       for _, suffix in FILES.values()] for route in ("script", "parallel")}}
    cores = os.cpu_count()
    counts = {"nianbao": args.n, "script": len(sample), "parallel": len(sample)}
    names = {"nianbao": f"nianbao run --scheduler {args.scheduler} ({jobs} workers)" if args.scheduler
             else f"nianbao run --jobs {jobs}",
             "script": "script: papermill, nbconvert ×4, 1 at a time",
             "parallel": f"script: the same, {jobs} at a time (xargs -P)"}
    rate = {name: counts[name] / figures["seconds"] * 60 for name, figures in routes.items()}
    cpu = {name: figures["cpu"] / counts[name] for name, figures in routes.items() if here or name != "nianbao"}
    what = "the demo's documents" if args.demo else "agency-years"
    print(f"N={args.n} {what}, the public and review pages, PDF and Word each, {cores} cores")
    print(f"{'route':<48}{'reports':>8}{'seconds':>9}{'reports/min':>13}{'CPU s a report':>16}"
          f"{'reports/CPU-min':>17}{'peak MiB':>10}")
    for name, figures in routes.items():
        per_cpu = f"{cpu[name]:>16.2f}{60 / cpu[name]:>17.1f}" if name in cpu else f"{'—':>16}{'—':>17}"
        print(f"{names[name]:<48}{counts[name]:>8}{figures['seconds']:>9.1f}{rate[name]:>13.1f}{per_cpu}"
              f"{figures['mib']:>10.0f}")
    print(f"ratio: nianbao run makes {rate['nianbao'] / rate['parallel']:.1f}x the parallel script's reports "
          f"per minute ({rate['nianbao'] / rate['script']:.1f}x the one-at-a-time script's)"
          + (f", {cpu['parallel'] / cpu['nianbao']:.1f}x its reports per CPU-minute" if "nianbao" in cpu else ""))
    print("files a report, mean KB (" + " · ".join(name for name, _ in FILES.values()) + "): "
          + "; ".join(f"{name} " + " · ".join(f"{kb:.0f}" for kb in sizes[name]) for name in routes))
    print("nianbao run, peak MiB by quarter of the reports done: "
          + " · ".join(f"{mib:.0f}" for mib in routes["nianbao"]["quarters"]))
    per_report = sum(stages.values())
    print("CPU seconds a report, by stage: " + " · ".join(f"{stage} {seconds:.3f}" for stage, seconds in stages.items())
          + f" = {per_report:.3f}")
    if here:
        floor = cores * 60 / per_report
        print(f"floor on {cores} cores: {floor:.1f} reports/min; the run reached {rate['nianbao']:.1f}, "
              f"{rate['nianbao'] / floor:.0%} of it")
        beyond = cpu["nianbao"] - per_report
        print(f"CPU seconds the whole run spent: {routes['nianbao']['cpu']:.1f} ({cpu['nianbao']:.3f} a report, "
              f"{beyond:+.3f} beyond the stages: starting workers, fork servers, first fonts and templates)")
    else:
        print("(a remote cluster: the floor and the run's total CPU are its machines', not measured here)")


if __name__ == "__main__":
    main()
