"""Read scans of real reports with each OCR engine the importer has, side by side, in one run.

    .venv/bin/python benchmarks/ocr.py                  # 2 pages: 淮安's 表三/表四 page, the demo's 表三 page
    .venv/bin/python benchmarks/ocr.py --pages all      # every page of the three originals and the demo
    .venv/bin/python benchmarks/ocr.py --reports        # and the three originals imported whole from scans

The scans are made as a scanner makes them: the pages of PDFs with a text layer rendered grey at
150 and 300 dpi, level and turned 1.5° (askew as a sheet fed crooked). The PDFs are the three
reports agencies published (tests/fixtures/documents/, from shared/samples/originals/) and our
own demo report (data/2022/quzhou-jgswbzzx.yaml through the PDF exporter).

Each engine reads each scan through the importer's own page reader (`ocr.read_page`: the page
straightened, its ruled grid found, cells and lines read), as `nianbao import` reads a scanned
page; the truth is the same page's text layer read by the PDF reader (`pdf.page_items`). A row
of the scan is matched to the text layer's row at the same height; its cells are compared in
order, whitespace aside: digits (a cell that is a number) and labels (any other cell with text)
are counted apart. Time is CPU seconds a page, the engine's own process and the programs it
starts (Tesseract) together, one thread each; RapidOCR's model loading, once a process, is
timed apart. Also printed: the angle the straightening found on each skewed page.

With --reports, each original is also scanned whole (every page at 150 dpi, the resolution the
PDF reader looks at a scanned page in, level and then each page turned 1.5° and −1° in turn)
and imported as `nianbao import` imports it (`importer.read`): the published cells of its
tables (tests/fixtures/samples/expected/) the record holds exactly, labels being read into
rows rather than kept, and CPU seconds a report.
"""
from __future__ import annotations

import argparse
import difflib
import os
import re
import resource
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ORIGINALS = ROOT / "tests" / "fixtures" / "documents"
DEMO = ROOT / "data" / "2022" / "quzhou-jgswbzzx.yaml"
DEFAULT_PAGES = [("huaian-2024", 5), ("demo", 3)]
DPIS = (150, 300)
SKEWS = (0.0, 1.5)
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def demo_pdf(folder: Path) -> Path:
    """Our demo report as the PDF exporter makes it."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook, new_output

    from nianbao import intake
    from nianbao.pages.exporters import ReportPDFExporter
    from nianbao.report import Report

    report = Report(intake.read(DEMO), [])
    fragments = (report.review(), report.heading(), *(report.part(p.id) for p in report.record.spec.parts),
                 report.signature(), report.coverage())
    notebook = nbformat.from_dict(new_notebook(cells=[
        new_code_cell(outputs=[new_output("display_data", data=f._repr_mimebundle_())]) for f in fragments]))
    body, _ = ReportPDFExporter().from_notebook_node(notebook)
    (folder / "demo.pdf").write_bytes(body)
    return folder / "demo.pdf"


def scans(pdf: Path, numbers: list[int] | None):
    """(page number, truth rows, {(dpi, skew): grey picture}) for the pages asked (None: every
    page with a table)."""
    import pdfplumber

    from nianbao.importer import layout, pdf as pdf_reader

    with pdfplumber.open(pdf) as document:
        for number, page in enumerate(document.pages, 1):
            if numbers is not None and number not in numbers:
                continue
            truth = [item for item in pdf_reader.page_items(page) if isinstance(item, layout.Row)]
            if not truth:
                continue
            pictures = {}
            for dpi in DPIS:
                grey = page.to_image(resolution=dpi).original.convert("L")
                for skew in SKEWS:
                    pictures[dpi, skew] = grey.rotate(skew, resample=3, fillcolor=255) if skew else grey
            yield number, truth, pictures


def compare(truth: list, read: list) -> dict[str, list[int]]:
    """{"digits": [exact, of], "labels": [exact, of]}: the text layer's cells found in the scan's
    row at the same height (within 6 points), in order."""
    counts = {"digits": [0, 0], "labels": [0, 0]}
    unmatched = list(read)
    for row in truth:
        near = min(unmatched, key=lambda r: abs(r.top - row.top), default=None)
        got = []
        if near is not None and abs(near.top - row.top) <= 6:
            unmatched.remove(near)
            got = [re.sub(r"\s", "", c) for c in near.cells if c is not None]
        want = [re.sub(r"\s", "", c) for c in row.cells if c is not None]
        if len(got) == len(want):
            exact = [w == g for w, g in zip(want, got)]
        else:  # a rule missed or one too many: cells matched in order
            matcher = difflib.SequenceMatcher(None, want, got, autojunk=False)
            exact = [False] * len(want)
            for block in matcher.get_matching_blocks():
                for i in range(block.a, block.a + block.size):
                    exact[i] = True
        for cell, right in zip(want, exact):
            if cell:
                kind = "digits" if _NUMBER.fullmatch(cell) else "labels"
                counts[kind][0] += right
                counts[kind][1] += 1
    return counts


def scanned_report(pdf: Path, out: Path, askew: bool) -> Path:
    """Every page of `pdf` as a 150 dpi grey picture, turned 1.5° and −1° in turn if `askew`,
    bound into a PDF with no text layer."""
    import pdfplumber

    with pdfplumber.open(pdf) as document:
        pictures = [page.to_image(resolution=150).original.convert("L") for page in document.pages]
    if askew:
        pictures = [p.rotate((1.5, -1.0)[n % 2], resample=3, fillcolor=255) for n, p in enumerate(pictures)]
    pictures[0].save(out, save_all=True, append_images=pictures[1:], resolution=150)
    return out


def reports(folder: Path) -> None:
    """The originals imported whole from their scans by each engine, side by side."""
    sys.path.insert(0, str(ROOT / "tests"))
    from test_import_documents import read_exactly

    from nianbao import importer
    from nianbao.importer import ocr

    print("\n| report scanned at 150 dpi | engine | published cells exact | CPU s a report |")
    print("|---|---|---|---|")
    for pdf in sorted(ORIGINALS.glob("*.pdf")):
        for askew in (False, True):
            scanned = scanned_report(pdf, folder / f"{pdf.stem}.pdf", askew)
            for engine, module in ocr.ENGINES.items():
                os.environ[ocr.VARIABLE] = engine
                before = cpu_seconds()
                imported = importer.read(scanned)
                seconds = cpu_seconds() - before
                exact, total, _ = read_exactly(imported.record, pdf.stem)
                print(f"| {pdf.stem}, {'askew' if askew else 'level'} | {module.NAME} | {exact}/{total} "
                      f"({100 * exact / total:.1f}%) | {seconds:.1f} |", flush=True)


def cpu_seconds() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", choices=("few", "all", "none"), default="few",
                        help="few: 2 pages (default, about 3 minutes on a core); all: every page with a table "
                             "of the three originals and the demo (about 20 minutes); none: only --reports")
    parser.add_argument("--reports", action="store_true",
                        help="also import the three originals whole from their scans (about 10 minutes more)")
    options = parser.parse_args()
    import numpy

    from nianbao.importer import layout, ocr, ocr_rapid

    started = cpu_seconds()  # RapidOCR loads each model when first used: both, on a blank picture
    blank = numpy.full((48, 200), 255, numpy.uint8)
    ocr_rapid._engine()(blank, use_det=True, use_cls=False, use_rec=True)
    ocr_rapid._engine()(blank, use_det=False, use_cls=False, use_rec=True)
    loading = cpu_seconds() - started
    totals: dict[tuple, dict] = {}
    with tempfile.TemporaryDirectory() as folder:
        documents = {path.stem: path for path in sorted(ORIGINALS.glob("*.pdf"))}
        documents["demo"] = demo_pdf(Path(folder))
        asked = {name: [n for doc, n in DEFAULT_PAGES if doc == name] or None for name in documents}
        if options.pages != "all":
            documents = {name: path for name, path in documents.items() if options.pages == "few" and asked[name]}
        for name, path in documents.items():
            for number, truth, pictures in scans(path, asked[name] if options.pages == "few" else None):
                for (dpi, skew), picture in pictures.items():
                    found = ocr.straighten(numpy.asarray(picture))[1] if skew else 0.0
                    line = [f"{name} p{number} {dpi} dpi {skew}° (found {found:.2f}°)"]
                    for engine in ocr.ENGINES:
                        os.environ[ocr.VARIABLE] = engine
                        before = cpu_seconds()
                        items, _ = ocr.read_page(picture, f"第 {number} 页", scale=72 / dpi)
                        seconds = cpu_seconds() - before
                        counts = compare(truth, [item for item in items if isinstance(item, layout.Row)])
                        total = totals.setdefault((dpi, skew, engine), {"digits": [0, 0], "labels": [0, 0],
                                                                        "seconds": 0.0, "pages": 0})
                        for kind in ("digits", "labels"):
                            total[kind] = [a + b for a, b in zip(total[kind], counts[kind])]
                        total["seconds"] += seconds
                        total["pages"] += 1
                        line.append(f"{engine}: digits {counts['digits'][0]}/{counts['digits'][1]} "
                                    f"labels {counts['labels'][0]}/{counts['labels'][1]} {seconds:.1f} s")
                    print(" | ".join(line), flush=True)
    if totals:
        print_pages(totals, loading)
    if options.reports:
        with tempfile.TemporaryDirectory() as folder:
            reports(Path(folder))


def print_pages(totals: dict, loading: float) -> None:
    from nianbao.importer import ocr

    print(f"\nRapidOCR model loading: {loading:.2f} s CPU, once a process\n")
    names = {engine: module.NAME for engine, module in ocr.ENGINES.items()}
    print("| scan | engine | digits exact | labels exact | CPU s a page |")
    print("|---|---|---|---|---|")
    for (dpi, skew, engine), total in sorted(totals.items()):
        cells = [f"{total[k][0]}/{total[k][1]} ({100 * total[k][0] / max(total[k][1], 1):.1f}%)"
                 for k in ("digits", "labels")]
        print(f"| {dpi} dpi, {'level' if not skew else f'{skew}° askew'} | {names[engine]} | {cells[0]} | {cells[1]} "
              f"| {total['seconds'] / total['pages']:.1f} |")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "lib"))
    main()
