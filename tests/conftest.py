"""Shared places for the tests: the project folder, its demo data and the real documents.

The seeds and published samples are copied unchanged from the project's shared/ folder into
tests/fixtures/ (as its README asks), so the tests run wherever the clone is.
"""
import http.server
import shutil
import threading
from pathlib import Path

import nbformat
import papermill
import pytest
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
SEEDS = FIXTURES / "seeds"
SAMPLES = FIXTURES / "samples"
DEMO = ROOT / "data" / "2022" / "quzhou-jgswbzzx.yaml"


def seed(number: int) -> str:
    """The text of seed NNN_*.txt."""
    return next(SEEDS.glob(f"{number:03d}_*.txt")).read_text(encoding="utf-8")


def render_as_is(notebook: str, tmp_path, review: bool = False) -> BeautifulSoup:
    """A template notebook run as JupyterLab runs it (from notebooks/, its own defaults), rendered
    as its public page, or its review page."""
    from nianbao.pages.exporters import ReportHTMLExporter, ReviewHTMLExporter

    out = tmp_path / f"as-is-{notebook}"
    papermill.execute_notebook(str(ROOT / "notebooks" / notebook), str(out),
                               cwd=str(ROOT / "notebooks"), progress_bar=False, kernel_name="python3")
    exporter = ReviewHTMLExporter() if review else ReportHTMLExporter()
    html, _ = exporter.from_notebook_node(nbformat.read(out, as_version=4))
    return BeautifulSoup(html, "html.parser")


def copy_project(folder: Path, agencies: list[tuple[str, str]]) -> Path:
    """A project folder with the template notebooks and these demo (year, agency) records and
    params files, for runs that may change and break them."""
    shutil.copytree(ROOT / "notebooks", folder / "notebooks")
    for year, agency in agencies:
        for kind in ("data", "params"):
            (folder / kind / year).mkdir(parents=True, exist_ok=True)
            shutil.copy(ROOT / kind / year / f"{agency}.yaml", folder / kind / year)
    return folder


@pytest.fixture
def listener():
    """An HTTP server on 127.0.0.1 that records every request it gets."""
    requests = []

    class Recorder(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            requests.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"body { color: red }")

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_port, requests
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def memory_bound_restored():
    """`nianbao check` bounds its own process's memory (limits.bound_memory); called in-process
    by a test, the bound would stay on pytest and on every program a later test starts."""
    import resource

    bound = resource.getrlimit(resource.RLIMIT_DATA)
    yield
    resource.setrlimit(resource.RLIMIT_DATA, bound)


def template_with(project, name: str, source: str, at: int = 2) -> str:
    """A copy of the template with one more code cell (after the parameters cell by default)."""
    notebook = nbformat.read(project / "notebooks/annual_report.ipynb", as_version=4)
    notebook.cells.insert(at, nbformat.v4.new_code_cell(source))
    nbformat.write(notebook, project / "notebooks" / name)
    return f"notebooks/{name}"


def params_for(project, name: str, year: str, agency: str, notebook: str) -> str:
    """A params file running `agency`'s record of `year` through another template notebook."""
    path = project / "params" / year / f"{name}.yaml"
    path.write_text(f"agency_id: {agency}\nyear: {year}\nrecord: data/{year}/{agency}.yaml\nnotebook: {notebook}\n",
                    encoding="utf-8")
    return str(path.relative_to(project))


CHROMIUM = "/usr/bin/chromium"  # Debian's, which the Makefile installs


@pytest.fixture
def browser():
    """A real headless Chromium (Debian's), driven by Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        chromium = driver.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"])
        yield chromium
        chromium.close()


def report_notebook(report, history: bool = True):
    """An executed report notebook built without a kernel: the template's fragments of `report`
    (nianbao.report.Report), in its order, as the outputs the exporters read."""
    from nbformat.v4 import new_code_cell, new_notebook, new_output

    parts = [report.part(p.id) for p in report.record.spec.parts]
    fragments = [report.review(), report.heading(), *parts, report.signature(), report.coverage(),
                 *([report.history()] if history else [])]
    outputs = [new_output("display_data", data=f._repr_mimebundle_()) for f in fragments]
    return nbformat.from_dict(new_notebook(cells=[new_code_cell(outputs=[output]) for output in outputs]))


def drawn(report, history: bool = True):
    """The document of `report` and its checked payload, as the exporters read them."""
    from nianbao.document import notebook

    return notebook.read(report_notebook(report, history))
