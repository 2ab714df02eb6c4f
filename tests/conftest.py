"""Shared places for the tests: the project folder, its demo data and the real documents; and
which tests are slow.

The seeds and published samples are copied unchanged from the project's shared/ folder into
tests/fixtures/ (as its README asks), so the tests run wherever the clone is.
"""
import http.server
import os
import shutil
import sys
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


# ---- The slow tests, which `make test-fast` (pytest -m "not slow") leaves out ----------------
#
# A test is slow when it starts what takes seconds to come up or to finish: the batch (`nianbao
# run`: workers, fork servers, a kernel a report), a Dask cluster, Chromium, LibreOffice or
# OCR (Tesseract, or RapidOCR in the process: seconds a page); or when it fuzzes, or takes
# input up to a memory or time bound on purpose (seconds by design). They are marked here, in
# one place: by fixture (every test that takes `browser`), by module (every test of a module
# about the batch), and by name where a module has fast tests too. A test that starts one of
# them and is not marked slow fails, naming what it started (`_watch` below): the fast tier
# stays fast as tests are added.

SLOW_FIXTURES = {"browser",
                 "served"}  # test_review.py: reports made by the batch, served by `nianbao review`
SLOW_MODULES = {"test_batch.py", "test_batch_faults.py", "test_batch_kernels.py", "test_dask.py",
                "test_every_edition_run.py", "test_fuzz.py", "test_import_bounds.py", "test_memory.py",
                "test_one_document.py", "test_opendata_batch.py", "test_scope_hostile.py"}
SLOW_TESTS = {
    "test_audit_copies.py": {"test_one_cell_changed_in_the_pdf_is_named_with_each_files_value"},
    "test_audit_watch.py": {"test_a_file_changed_after_it_was_first_read_is_named_with_both_dates"},
    "test_cli.py": {"test_a_params_file_or_a_list_of_units_that_cannot_be_read_is_said_in_chinese"},
    "test_consolidation.py": {
        "test_the_demo_government_report_in_html_pdf_word_and_the_index",
        "test_a_city_over_a_folder_holding_a_county_and_its_departments_sums_each_department_once"},
    "test_excel.py": {"test_the_blank_workbook_prints_one_page_a_sheet_in_libreoffice"},
    "test_hostile_input.py": {"test_an_agency_name_that_closes_the_title_stays_text_in_html_and_pdf",
                              "test_no_id_or_name_makes_the_batch_write_outside_the_output_folder",
                              "test_indented_paragraphs_and_a_fenced_block_keep_their_words_in_html_pdf_and_word"},
    "test_import_documents.py": {"test_a_word_97_file_imports_through_libreoffice",
                                 "test_a_scanned_pdf_gives_its_tables_and_names_the_pages_of_unsure_cells",
                                 "test_a_skewed_scan_of_a_real_report_imports_with_its_cells_right_and_fetches_nothing",
                                 "test_a_page_image_is_read_by_its_ruling"},
    "test_intake_hostile.py": {"test_a_file_past_the_memory_bound_fails_alone_with_the_reason_in_chinese"},
    "test_import_network.py": {"test_hostile_word_files_fetch_nothing_and_a_page_saved_as_doc_is_read",
                               "test_word_files_are_read_by_what_they_are_whatever_their_name"},
    "test_preview.py": {"test_a_batch_started_from_jupyterlab_renders_the_bare_fragments"},
    "test_review.py": {"test_run_json_and_reviews_files_get_the_mode_every_other_output_gets",
                       "test_stalled_connections_hold_a_bounded_number_of_threads_and_time_out"},
    "test_word.py": {"test_libreoffice_lays_out_every_official_label",
                     "test_libreoffice_shows_the_demo_in_order_with_its_numbers",
                     "test_libreoffice_shows_the_draft_mark_summary_and_history",
                     "test_libreoffice_draws_title_headings_and_body_in_the_pdfs_faces",
                     "test_libreoffice_never_puts_the_signature_alone_on_a_page"},
}


def pytest_collection_modifyitems(items):
    for item in items:
        module = item.path.name
        if (module in SLOW_MODULES or item.originalname in SLOW_TESTS.get(module, ())
                or SLOW_FIXTURES & set(item.fixturenames)):
            item.add_marker(pytest.mark.slow)


# What a test started, seen through Python's audit events (sys.addaudithook): a program by its
# name, or the batch, in this process (it locks its output folder) or as a command.
SLOW_PROGRAMS = {"soffice", "libreoffice", "tesseract", "chromium", "dask"}
_slow_work: set[str] = set()


def _watch(event: str, args: tuple) -> None:
    if event == "subprocess.Popen":
        arguments = [str(argument) for argument in args[1]]
        _slow_work.update({os.path.basename(argument) for argument in arguments} & SLOW_PROGRAMS)
        if "run" in arguments and any("nianbao" in argument for argument in arguments):
            _slow_work.add("nianbao run")
    elif event == "open" and str(args[0]).endswith(".nianbao-run.lock"):
        _slow_work.add("nianbao run")


sys.addaudithook(_watch)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    _slow_work.clear()  # before the test's fixtures: what they start is the test's


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    outcome = yield
    if _slow_work and not item.get_closest_marker("slow"):
        pytest.fail(f"{item.nodeid} starts {', '.join(sorted(_slow_work))} and is not marked slow: "
                    "name it in tests/conftest.py (SLOW_TESTS)", pytrace=False)
    return outcome
