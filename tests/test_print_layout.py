"""The printed report across pages (issues #16, #24): tables run on from page to page between their
rows, as the offices' own WPS files do, so that no page but a document's last is more than a
third blank; a merged label of table 三 begins beside its first rows and runs on with them; a
group row never ends a page without its first sub-row; no table begins at a page's foot with a
row or two; nothing runs into the bottom margin; chart text is text; the PDF is tagged.

The PDFs are made as the batch makes them (the template notebook's outputs through the
nianbao_pdf exporter) but without a kernel: the report's fragments become the outputs of a
notebook built here. Where text lies on a page is read back with poppler's `pdftotext
-bbox-layout`: one block per cell, a vertical label one block of one-character lines.
"""
import base64
import io
import json
import re
import subprocess
from dataclasses import dataclass
from xml.etree import ElementTree

import pytest
from pypdf import PdfReader

from conftest import ROOT, SAMPLES, report_notebook
from nianbao import editions, importer
from nianbao.document import TableBlock, grid
from nianbao.pages.exporters import ReportHTMLExporter, ReportPDFExporter
from nianbao.report import Report

PAGE_FOOT = 841.89 - 35 / 25.4 * 72  # A4 less the 35 mm bottom margin, in pt from the top
PAGE_TOP = 37 / 25.4 * 72            # the 37 mm top margin
TABLE_LINE = 10.5 * 1.3             # one line of printed table text (report.css)
XHTML = "{http://www.w3.org/1999/xhtml}"


@dataclass
class Box:
    text: str
    top: float
    bottom: float
    middle: float = 0  # across, in pt from the page's left


def load(year: int, agency: str) -> Report:
    """The agency-year with its previous year and earlier years, as `nianbao run` finds them."""
    earlier = sorted(p for p in ROOT.glob(f"data/*/{agency}.yaml") if int(p.parent.name) < year)
    previous = next((p for p in earlier if int(p.parent.name) == year - 1), None)
    return Report.load(ROOT / f"data/{year}/{agency}.yaml", previous, history=earlier)


def pdf(report: Report) -> bytes:
    """The report's PDF: its fragments in the template notebooks' order, through the exporter."""
    body, _ = ReportPDFExporter().from_notebook_node(report_notebook(report))
    return body


def pages(document: bytes, tmp_path, level: str = "block") -> list[list[Box]]:
    """Each page's text blocks (or words), top and bottom in pt from the page's top."""
    path = tmp_path / "report.pdf"
    path.write_bytes(document)
    xml = subprocess.run(["pdftotext", "-bbox-layout", path, "-"], check=True, capture_output=True).stdout
    tree = ElementTree.fromstring(re.sub(rb"<!DOCTYPE[^>]*>", b"", xml))
    return [[Box("".join(word.text for word in box.iter(f"{XHTML}word")), float(box.get("yMin")),
                 float(box.get("yMax")), (float(box.get("xMin")) + float(box.get("xMax"))) / 2)
             for box in page.iter(f"{XHTML}{level}")]
            for page in tree.iter(f"{XHTML}page")]


def words_in_order(document: bytes, tmp_path) -> list[tuple[int, Box]]:
    """The document's words with their page numbers, page by page, top to bottom."""
    return sorted(((number, box) for number, page in enumerate(pages(document, tmp_path, "word"), 1)
                   for box in page), key=lambda word: (word[0], word[1].top))


def lines_placed(block: TableBlock, words: list[tuple[int, Box]]) -> list[tuple[int, Box]]:
    """The page and first word of each body line's own label (its last, innermost one), found in
    table order: some labels come twice (the legacy table's （二）被依法纠错数, table 三's 3.其他)."""
    placed, after = [], 0
    for line in block.body:
        row = [c.text for c in line if c.kind == "label"][-1]
        at = next(i for i, (_, box) in enumerate(words) if i >= after and len(box.text) > 1 and row.startswith(box.text))
        placed.append(words[at])
        after = at + 1
    return placed


def groups(report: Report, table_id: str) -> list[tuple[str, list[str], str | None]]:
    """(merged label, the labels of the rows it spans, the label of the row after them) for each
    label that spans rows; a row's label is its last, innermost one."""
    [block] = grid.grid(report.record.spec.tables[table_id], report.record.tables.get(table_id, {}))
    rows = [[c.text for c in line if c.kind == "label"][-1] for line in block.body]
    return [(cell.text, rows[i:i + cell.rowspan], rows[i + cell.rowspan] if i + cell.rowspan < len(rows) else None)
            for i, line in enumerate(block.body) for cell in line if cell.kind == "label" and cell.rowspan > 1]


REPORTS = [(2023, "shili-zrzyghj"), (2023, "shili-scjgj"), (2022, "shili-scjgj"), (2021, "shili-zrzyghj")]


@pytest.fixture(scope="module", params=REPORTS, ids=[f"{agency}-{year}" for year, agency in REPORTS])
def annual(request):
    report = load(*request.param)
    return report, pdf(report)


def test_a_merged_label_of_table_three_begins_beside_its_first_rows(annual, tmp_path):
    """As in the form and the offices' files, a label merged down stands beside the rows it spans
    and runs on past a page break with them: its text begins on the page of its first row, not
    above it, and that row's next one is on that page too (a group never ends a page alone)."""
    report, document = annual
    words = [(number, box) for number, page in enumerate(pages(document, tmp_path, "word"), 1) for box in page]
    merged = groups(report, "三")
    assert [label for label, _, _ in merged] == ["三、本年度办理结果", "（三）不予公开", "（四）无法提供",
                                                 "（五）不予处理", "（六）其他处理"]
    for label, rows, _ in merged:
        first, second = (place_of(words, row) for row in rows[:2])
        assert first[0] == second[0], f"{label}: its first row ends p.{first[0]}"
        starts = [box for number, box in words if number == first[0] and len(box.text) > 1
                  and label.startswith(box.text)]
        assert starts and starts[0].top >= first[1].top - 2, f"{label} is not beside its first row"


def place_of(words: list[tuple[int, Box]], row: str) -> tuple[int, Box]:
    """The page and first word of a row's label (a label wraps into words of a line each)."""
    return next((number, box) for number, box in words if len(box.text) > 2 and row.startswith(box.text))


def test_nothing_runs_into_the_bottom_margin(annual, tmp_path):
    _, document = annual
    for number, page in enumerate(pages(document, tmp_path), 1):
        text = [box for box in page if not re.fullmatch(r"—\d+—", box.text)]  # the page number's place
        assert all(box.bottom <= PAGE_FOOT for box in text), f"p.{number}"


def test_the_legacy_table_runs_on_each_group_row_with_its_first_sub_row(tmp_path):
    """四、行政复议数量 once ended a page, its three sub-rows starting the next."""
    report = load(2019, "shangqiu-jgswzx")
    [block] = grid.grid(report.record.spec.tables["统计表"], report.record.tables.get("统计表", {}))
    rows = [next(c.text for c in line if c.kind == "label") for line in block.body]
    indents = [next(c.indent for c in line if c.kind == "label") for line in block.body]
    placed = [number for number, _ in lines_placed(block, words_in_order(pdf(report), tmp_path))]
    assert len(set(placed)) > 1  # it runs on
    for line in range(len(rows) - 1):
        if indents[line + 1] > indents[line]:
            assert placed[line] == placed[line + 1], f"{rows[line]} ends p.{placed[line]} alone"


def test_the_legacy_table_begins_and_ends_with_three_rows_or_more_on_a_page(tmp_path):
    report = load(2019, "shangqiu-jgswzx")
    [block] = grid.grid(report.record.spec.tables["统计表"], report.record.tables.get("统计表", {}))
    rows = {c.text for line in block.body for c in line if c.kind == "label"}
    on_pages = [count for count in (sum(box.text in rows for box in page) for page in pages(pdf(report), tmp_path))
                if count]
    assert len(on_pages) > 1 and on_pages[0] >= 3 and on_pages[-1] >= 3, on_pages


@pytest.mark.parametrize("year, agency", [(2023, "shili-zrzyghj"), (2023, "shili-scjgj")])  # with earlier years
def test_chart_text_is_text_in_the_pdf_and_the_html(tmp_path, year, agency):
    report = load(year, agency)
    document = pdf(report)
    assert report.earlier
    svg = base64.b64decode(re.search(r"data:image/svg\+xml;base64,([^\"]+)", report.history().html)[1]).decode()
    assert re.search(r"<text\b[^>]*>本年新收</text>", svg)  # a browser shows it with the reader's CJK font
    words = [box.text for page in pages(document, tmp_path, "word") for box in page]
    # the legend of the first chart, beside the same label in the table of changes
    assert words.count("本年新收") == 2 and words.count("结转下年度") == 2


def test_the_pdf_is_tagged_with_its_fonts_embedded(annual):
    _, document = annual
    reader = PdfReader(io.BytesIO(document))
    catalog = reader.trailer["/Root"]
    assert "/StructTreeRoot" in catalog and catalog["/MarkInfo"]["/Marked"] and catalog["/Lang"] == "zh-CN"
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            descriptor = font.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            assert "/FontFile3" in descriptor or "/FontFile2" in descriptor


# ---- Pages as full as the offices' own ----

def sample_report(name: str) -> Report:
    """A WPS original as our report: its narrative as `nianbao import` reads it back from the
    published text, its tables the hand transcription's numbers (samples/expected/)."""
    record = importer.read(SAMPLES / "raw" / f"{name}.txt").record
    data = json.loads((SAMPLES / "expected" / f"{name}.json").read_text(encoding="utf-8"))
    three = editions.load(record.edition).tables["三"]
    record.tables = {"二": data["table2"],
                     "三": {row: dict(zip(three.columns(row), values)) for row, values in data["table3"].items()},
                     "四": {"": {f"{group}/{column}": value for group, values in data["table4"].items()
                                 for column, value in zip(data["table4_columns"], values)}}}
    return Report(record, [])


DEMO_REPORTS = sorted((int(path.parent.name), path.stem) for path in ROOT.glob("params/*/*.yaml"))
WPS_ORIGINALS = ["hongze-2023", "hongze-2024", "huaian-2024"]


def blank_shares(document: bytes, tmp_path) -> list[list[float]]:
    """Each page's blank share of the text block, below its last line of text, for each document
    the PDF holds: the report, then each appendix (附：…), which begins a page of its own. Lines,
    not blocks: poppler may join a page's text and its number under it into one block."""
    documents: list[list[float]] = []
    for page in pages(document, tmp_path, "line"):
        text = [box for box in page if PAGE_TOP - 2 <= box.top and box.bottom <= PAGE_FOOT + 2]
        if not documents or text and text[0].text.startswith("附："):
            documents.append([])
        bottom = max((box.bottom for box in text), default=PAGE_TOP)
        documents[-1].append((PAGE_FOOT - bottom) / (PAGE_FOOT - PAGE_TOP))
    return documents


# every demo report, and the WPS originals' numbers as our reports: how each is made
PAGED = {**{f"{agency}-{year}": (load, (year, agency)) for year, agency in DEMO_REPORTS},
         **{name: (sample_report, (name,)) for name in WPS_ORIGINALS}}


@pytest.mark.parametrize("name", PAGED)
def test_no_page_but_a_documents_last_is_more_than_a_third_blank(tmp_path, name):
    make, arguments = PAGED[name]
    for shares in blank_shares(pdf(make(*arguments)), tmp_path):
        assert all(share <= 1 / 3 for share in shares[:-1]), [round(share, 2) for share in shares]


def test_printed_from_chromium_no_page_but_a_documents_last_is_more_than_a_third_blank(browser, tmp_path):
    """The report page (the HTML) printed from Chromium, as a reader prints it: its print styles
    let a table run on between its rows, as the PDF's do. Chromium once moved 表三 whole to the
    next page, as its first row's merged label (22 rows) was a row not to break inside."""
    page = browser.new_page()
    too_blank = {}
    for name, (make, arguments) in PAGED.items():
        html, _ = ReportHTMLExporter().from_notebook_node(report_notebook(make(*arguments)))
        page.set_content(html, wait_until="load")
        for shares in blank_shares(page.pdf(prefer_css_page_size=True), tmp_path):
            if any(share > 1 / 3 for share in shares[:-1]):
                too_blank[name] = [round(share, 2) for share in shares]
    page.close()
    assert too_blank == {}


@pytest.mark.parametrize("name", PAGED)
def test_a_merged_label_shows_again_beside_its_lines_on_the_next_page(tmp_path, name):
    """Where a table runs on to the next page among the lines of a merged label (table 三's
    三、本年度办理结果 and its （五）不予处理), the lines there have the label beside them again: a
    reader of that page sees which group they belong to, where Word and WPS would leave the
    column blank (as the WPS originals do)."""
    make, arguments = PAGED[name]
    report = make(*arguments)
    words = words_in_order(pdf(report), tmp_path)
    continued = []
    for table_id, table in report.record.spec.tables.items():
        for block in grid.grid(table, report.record.tables.get(table_id, {})):
            merged = [(first, c) for first, line in enumerate(block.body) for c in line
                      if c.kind == "label" and c.rowspan > 1]
            placed = lines_placed(block, words) if merged else []
            for first, label in merged:
                spanned = placed[first:first + label.rowspan]
                after = placed[first + label.rowspan:][:1]  # the line after them, if any
                for page in sorted({number for number, _ in spanned})[1:]:
                    top = next(box.top for number, box in spanned if number == page)
                    bottom = after[0][1].top if after and after[0][0] == page else PAGE_FOOT
                    shown = label_on(words, page, label.text)
                    assert shown, f"{label.text} is not on p.{page}"
                    # beside them: a line there grown to hold the label has its own text centred,
                    # at most half the label's height under the label's top
                    height = shown[-1].bottom - shown[0].top
                    assert top - height / 2 - 2 <= shown[0].top and shown[-1].bottom <= bottom, \
                        f"{label.text} on p.{page} is not beside its lines"
                    continued.append(label.text)
    if name in ("shili-zrzyghj-2021", "huaian-2024"):  # the cases the issue names
        assert "三、本年度办理结果" in continued


def label_on(words: list[tuple[int, Box]], page: int, label: str) -> list[Box]:
    """A vertical label's words on a page, top to bottom: its lines stand centred in their column,
    one under another, and read as the label."""
    for number, start in words:
        if number == page and len(start.text) > 1 and label.startswith(start.text):
            column = [box for n, box in words if n == page and abs(box.middle - start.middle) < 1 and start.top <= box.top]
            read = ""
            for end, box in enumerate(column, 1):
                read += box.text
                if read == label:
                    return column[:end]
    return []
