"""Time `nianbao audit` of N published reports per input kind against reading them alone, in one run.

    .venv/bin/python benchmarks/audit.py                        # N=200 text and HTML pages, 12 PDFs
    .venv/bin/python benchmarks/audit.py --n 1000 --pdfs 100 --real-copies 10

It publishes synthetic agency-years (benchmarks/agencies.py) as agencies do: HTML pages (the
report's public page, made from its fragments without a kernel, as the batch makes it), plain
text as a crawler scrapes it from such a page (a table cell per line, like ../shared/seeds/),
and PDFs with a text layer (nianbao's PDF exporter). Each kind is made of
agencies of its own, so that no file is the same report as another: the audit would name such a
file a duplicate and not check it. A PDF takes seconds to make and to read, so there are fewer of
them (--pdfs), each distinct.

Beside ours, real ones: the three PDFs agencies published (made with WPS) that the tests read,
tests/fixtures/documents/*.pdf, each --real-copies times in a folder of their own (real). Their
text and tables are laid out as an office lays them out, not as nianbao does, and they take
longer to read. Three reports make no rate: the copies do, and the audit reads every copy (it
has to, to see it is the same report), but checks and writes a page for the first of each only,
which costs little beside reading a PDF.

For each kind, and for all of our files in one folder (mixed), it runs `nianbao audit FOLDER
-o OUT --jobs J` and prints files, seconds, reports per minute, milliseconds per report and the
peak memory of its whole process tree (PSS, sampled every 0.5 s beside it, the time being the
command's own: benchmarks/measuring.py), overall and over each quarter of the work (a file
imported, then its page written: 2 steps a file), which stays flat when memory does not grow
with the number of files. Beside each, the plain alternative: the same files read one after
another in one process with nianbao.importer, no checks and no pages, so that what the audit's
checks, pages and parallel workers cost or save can be read off. The mixed folder's plain
figure is the sum of the kinds'. Last, how much longer a real PDF takes to read than ours.
"""
from __future__ import annotations

import argparse
import csv
import os
import re
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from agencies import agency
from measuring import quarters, sampled

BIN = Path(sys.executable).parent
KINDS = ("text", "html", "pdf", "real")
# Real published PDFs, copied unchanged from shared/samples/originals/ for the tests.
REAL = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "documents"
# The plain alternative: each file read by the importer, one after another, nothing kept.
READ_ALONE = """
import sys
from pathlib import Path
from nianbao import importer
for path in sorted(Path(sys.argv[1]).iterdir()):
    importer.read(path)
"""


def notebook(number: int):
    """An agency-year's report notebook as the template leaves it executed: its fragments'
    outputs, which the exporters read (the public page and the PDF leave the review out)."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook, new_output

    from nianbao.report import Report

    report = Report(agency(number), [])
    fragments = (report.review(), report.heading(), *(report.part(p.id) for p in report.record.spec.parts),
                 report.signature(), report.coverage())
    return nbformat.from_dict(new_notebook(cells=[
        new_code_cell(outputs=[new_output("display_data", data=f._repr_mimebundle_())]) for f in fragments]))


def publish(task: tuple[str, int, Path]) -> None:
    """Write one agency-year as the kind of file asked for."""
    from bs4 import BeautifulSoup

    from nianbao.pages.exporters import ReportHTMLExporter, ReportPDFExporter

    kind, number, folder = task
    name = folder / f"synthetic-{number:05d}"
    if kind == "pdf":
        body, _ = ReportPDFExporter().from_notebook_node(notebook(number))
        name.with_suffix(".pdf").write_bytes(body)
        return
    html, _ = ReportHTMLExporter().from_notebook_node(notebook(number))
    if kind == "html":
        name.with_suffix(".html").write_text(html, encoding="utf-8")
        return
    page = BeautifulSoup(html, "html.parser")
    for hidden in page(["script", "style"]):
        hidden.decompose()
    name.with_suffix(".txt").write_text(re.sub(r"\n\s*\n+", "\n", page.get_text("\n")), encoding="utf-8")


def publish_all(root: Path, counts: dict[str, int], real_copies: int, jobs: int) -> dict[str, Path]:
    """A folder per kind of our files, each of agencies no other folder has, one with them all,
    and one of the real PDFs, each `real_copies` times."""
    folders, tasks, first = {}, [], 0
    for kind, count in counts.items():
        folders[kind] = root / kind
        folders[kind].mkdir(parents=True)
        tasks += [(kind, number, folders[kind]) for number in range(first, first + count)]
        first += count
    with ProcessPoolExecutor(jobs) as pool:
        list(pool.map(publish, tasks, chunksize=4))
    folders["mixed"] = root / "mixed"
    folders["mixed"].mkdir()
    for kind in counts:
        for path in folders[kind].iterdir():
            (folders["mixed"] / path.name).symlink_to(path)
    folders["real"] = root / "real"
    folders["real"].mkdir()
    for path in sorted(REAL.glob("*.pdf")):
        for copy in range(1, real_copies + 1):
            (folders["real"] / f"{path.stem}-{copy}.pdf").symlink_to(path)
    return folders


def measured(command: list, steps, total: int) -> tuple[float, float, list[float]]:
    """Seconds, peak MiB, and peak MiB in each quarter of `total` steps (`steps()`: done so far)."""
    with sampled(steps) as samples:
        started = time.perf_counter()
        ended = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        seconds = time.perf_counter() - started
    if ended.returncode not in (0, 1):  # 1: some report has errors, which is the audit's to say
        raise subprocess.CalledProcessError(ended.returncode, command)
    return seconds, max(mib for _, mib in samples), quarters(samples, total)


def time_audit(folder: Path, out: Path, jobs: int) -> tuple[float, float, list[float]]:
    """`nianbao audit` of the folder, measured; every report in it checked, each copy of one
    named as the same report."""
    files = len(list(folder.iterdir()))
    figures = measured([BIN / "nianbao", "audit", folder, "-o", out, "--jobs", str(jobs)],
                       lambda: len(os.listdir(out / "records")) + len(os.listdir(out / "reports"))
                       if (out / "reports").is_dir() else 0, 2 * files)
    with (out / "audit.csv").open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == files, f"{folder.name}: {len(rows)} of {files} files in audit.csv"
    not_checked = [row for row in rows if row["status"] and not row["status"].endswith("是同一份报告，未再核查")]
    assert not not_checked, f"{folder.name}: files not checked as reports of their own: {not_checked[:3]}"
    copies = [row for row in rows if row["status"]]
    assert folder.name == "real" or not copies, f"{folder.name}: our files read as the same report: {copies[:3]}"
    return figures


def time_read_alone(folder: Path) -> tuple[float, float]:
    seconds, peak, _ = measured([sys.executable, "-c", READ_ALONE, folder], lambda: 0, 1)
    return seconds, peak


def row(route: str, files: int, seconds: float, peak: float, quarters: str = "") -> str:
    return (f"{route:<28}{files:>7}{seconds:>9.1f}{files / seconds * 60:>13.0f}{1000 * seconds / files:>11.0f}"
            f"{peak:>10.0f}  {quarters}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200, help="text files and HTML pages each (default 200)")
    parser.add_argument("--pdfs", type=int, default=12, help="PDFs, a few seconds each to make and read (default 12)")
    parser.add_argument("--real-copies", type=int, default=4,
                        help="copies of each of the three real published PDFs (default 4)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                        help="nianbao audit --jobs, and processes making the files (default: cores)")
    args = parser.parse_args()
    counts = {"text": args.n, "html": args.n, "pdf": args.pdfs}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        started = time.perf_counter()
        folders = publish_all(root / "published", counts, args.real_copies, args.jobs)
        made = time.perf_counter() - started
        files = {kind: len(list(folder.iterdir())) for kind, folder in folders.items()}
        audited = {kind: time_audit(folder, root / f"out-{kind}", args.jobs) for kind, folder in folders.items()}
        alone = {kind: time_read_alone(folders[kind]) for kind in KINDS}
    print(f"nianbao audit --jobs {args.jobs} against reading the same files one by one, {os.cpu_count()} cores "
          f"({sum(counts.values())} files made in {made:.0f} s; real: {files['real'] // args.real_copies} "
          f"published PDFs, {args.real_copies} copies each)")
    print(f"{'kind · route':<28}{'files':>7}{'seconds':>9}{'reports/min':>13}{'ms/report':>11}{'peak MiB':>10}"
          "  peak MiB by quarter")
    for kind, (seconds, peak, by_quarter) in audited.items():
        peaks = " · ".join(f"{mib:.0f}" for mib in by_quarter)
        print(row(f"{kind} · nianbao audit", files[kind], seconds, peak, peaks))
        if kind == "mixed":
            print(row("mixed · read alone (sum)", files[kind], sum(alone[k][0] for k in counts),
                      max(alone[k][1] for k in counts)))
        else:
            print(row(f"{kind} · read alone", files[kind], *alone[kind]))
    real, ours = (alone[kind][0] / files[kind] for kind in ("real", "pdf"))
    print(f"a real PDF takes {real / ours:.1f}x as long to read as one of ours ({1000 * real:.0f} against "
          f"{1000 * ours:.0f} ms, read alone)")


if __name__ == "__main__":
    main()
