"""What readers see in a browser (issue #16), measured in a real headless Chromium: no text of
the official tables leaves its cell at desktop or phone width, numbers and the title's words
never break, and the pages fit a phone's width (a wide table scrolls inside its own box).

The report pages are made as the batch makes them (the template's fragments through the
nianbao_html exporter) but without a kernel; the index is written from a batch's outputs.
"""
import pytest

from conftest import ROOT, report_notebook
from nianbao.pages.exporters import ReportHTMLExporter
from nianbao.report import Report

WIDTHS = [1280, 390]

# Every text run of a table cell, measured against its cell: the runs that spill over, and the
# value cells whose number is drawn on more than one line.
MEASURE = """() => {
  const spilled = [], broken = [];
  for (const cell of document.querySelectorAll('.official-table th, .official-table td')) {
    const box = cell.getBoundingClientRect();
    const range = document.createRange();
    range.selectNodeContents(cell);
    for (const run of range.getClientRects()) {
      if (run.width === 0) continue;
      if (run.left < box.left - 1 || run.right > box.right + 1 || run.top < box.top - 1 || run.bottom > box.bottom + 1) {
        spilled.push(cell.textContent.trim().slice(0, 20));
        break;
      }
    }
    if (cell.classList.contains('value')) {  // the number itself, not the finding's mark beside it
      for (const node of cell.childNodes) {
        if (node.nodeType !== Node.TEXT_NODE || !node.textContent.trim()) continue;
        const digits = document.createRange();
        digits.selectNodeContents(node);
        const lines = new Set(Array.from(digits.getClientRects()).filter(r => r.width > 0).map(r => Math.round(r.top)));
        if (lines.size > 1) broken.push(node.textContent.trim());
      }
    }
  }
  // a title line ends between its words (GB/T 9704): no word of the title drawn on two lines
  const split = Array.from(document.querySelectorAll('.title-word'))
    .filter(word => new Set(Array.from(word.getClientRects()).map(r => Math.round(r.top))).size > 1)
    .map(word => word.textContent);
  return {spilled, broken, split, width: document.documentElement.scrollWidth};
}"""


def report_html(year: int, agency: str, tmp_path) -> str:
    report = Report.load(ROOT / f"data/{year}/{agency}.yaml")
    html, _ = ReportHTMLExporter().from_notebook_node(report_notebook(report, history=False))
    path = tmp_path / f"{agency}-{year}.html"
    path.write_text(html, encoding="utf-8")
    return path.as_uri()


@pytest.mark.parametrize("year, agency", [(2023, "shili-scjgj"), (2019, "shangqiu-jgswzx"), (2019, "pingtan-zhsyq")])
def test_no_table_text_leaves_its_cell_no_number_or_title_word_breaks_at_desktop_or_phone_width(browser, tmp_path, year, agency):
    url = report_html(year, agency, tmp_path)
    for width in WIDTHS:
        page = browser.new_page(viewport={"width": width, "height": 900})
        page.goto(url)
        measured = page.evaluate(MEASURE)
        assert measured["spilled"] == [], (width, measured["spilled"])
        assert measured["broken"] == [], (width, measured["broken"])
        assert measured["split"] == [], (width, measured["split"])
        # the page itself fits the screen: a wide table scrolls inside its own box
        assert measured["width"] <= width, (width, measured["width"])
        page.close()
