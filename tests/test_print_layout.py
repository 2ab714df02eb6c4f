"""The printed report across pages (issue #16): a merged label of table 三 stays beside its rows on
every page, no table begins at a page's foot with a row or two, nothing runs into the bottom
margin, chart text is text, the PDF is tagged.

The PDFs are made as the batch makes them (the template notebook's outputs through the
nianbao_pdf exporter) but without a kernel: the report's fragments become the outputs of a
notebook built here. Where text lies on a page is read back with poppler's `pdftotext
-bbox-layout`: one block per cell, a vertical label one block of one-character lines.
"""
import base64
import io
import re
import subprocess
from dataclasses import dataclass
from xml.etree import ElementTree

import pytest
from pypdf import PdfReader

from conftest import ROOT, report_notebook
from nianbao.document import grid
from nianbao.pages.exporters import ReportPDFExporter
from nianbao.report import Report

PAGE_FOOT = 841.89 - 35 / 25.4 * 72  # A4 less the 35 mm bottom margin, in pt from the top
TABLE_LINE = 10.5 * 1.3             # one line of printed table text (report.css)
XHTML = "{http://www.w3.org/1999/xhtml}"


@dataclass
class Box:
    text: str
    top: float
    bottom: float


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
                 float(box.get("yMax"))) for box in page.iter(f"{XHTML}{level}")]
            for page in tree.iter(f"{XHTML}page")]


def groups(report: Report, table_id: str) -> list[tuple[str, list[str], str | None]]:
    """(merged label, the labels of the rows it spans, the label of the row after them) for each
    label that spans rows; a row's label is its last, innermost one."""
    [block] = grid.grid(report.record.spec.tables[table_id], report.record.tables.get(table_id, {}))
    rows = [[c.text for c in line if c.kind == "label"][-1] for line in block.body]
    return [(cell.text, rows[i:i + cell.rowspan], rows[i + cell.rowspan] if i + cell.rowspan < len(rows) else None)
            for i, line in enumerate(block.body) for cell in line if cell.kind == "label" and cell.rowspan > 1]


REPORTS = [(2023, "shili-zrzyghj"), (2023, "shili-scjgj"), (2022, "shili-scjgj")]


@pytest.fixture(scope="module", params=REPORTS, ids=[f"{agency}-{year}" for year, agency in REPORTS])
def annual(request):
    report = load(*request.param)
    return report, pdf(report)


def test_a_merged_label_of_table_three_stays_beside_its_rows_on_every_page(annual, tmp_path):
    report, document = annual
    printed = pages(document, tmp_path)
    merged = groups(report, "三")
    assert [label for label, _, _ in merged] == ["三、本年度办理结果", "（三）不予公开", "（四）无法提供",
                                                 "（五）不予处理", "（六）其他处理"]
    for label, rows, after in merged:
        assert all(any(box.text == row for page in printed for box in page) for row in rows), label
        for number, page in enumerate(printed, 1):
            spanned = [box for box in page if box.text in rows]
            if not spanned:
                continue
            labels = [box for box in page if box.text == label]
            assert labels, f"p.{number}: rows of {label} without their label"
            following = [box.top for box in page if box.text == after]
            # below its rows lies the next row; at a page's foot, at most a line below the last
            floor = following[0] if following else max(box.bottom for box in spanned) + TABLE_LINE
            assert min(box.top for box in spanned) - 2 <= labels[0].top and labels[0].bottom <= floor, \
                f"p.{number}: {label} runs beyond its rows"


def test_nothing_runs_into_the_bottom_margin(annual, tmp_path):
    _, document = annual
    for number, page in enumerate(pages(document, tmp_path), 1):
        text = [box for box in page if not re.fullmatch(r"—\d+—", box.text)]  # the page number's place
        assert all(box.bottom <= PAGE_FOOT for box in text), f"p.{number}"


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
