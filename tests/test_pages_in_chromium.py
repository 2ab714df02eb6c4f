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


def report_html(year: int, agency: str, tmp_path, history: bool = False) -> str:
    """The report page of a demo record; with `history`, its earlier years' appendix too."""
    earlier = sorted(path for path in ROOT.glob(f"data/*/{agency}.yaml") if int(path.parent.name) < year) if history else []
    report = Report.load(ROOT / f"data/{year}/{agency}.yaml", history=earlier)
    html, _ = ReportHTMLExporter().from_notebook_node(report_notebook(report, history=history))
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


# ---- Phones (issue #24 item 4): charts fit, every table that scrolls says so, words stay whole --

PHONE = {"width": 390, "height": 844}
SCROLLERS = ".official-table, .history-table, .coverage-table, .frame-table"

# Each chart as drawn: its box against the screen's and its figure's, and the smallest of its
# text in CSS pixels (the SVG's font size in its own units, scaled as the picture is drawn).
CHARTS = """() => Array.from(document.querySelectorAll('.chart img')).map(img => {
  const box = img.getBoundingClientRect();
  const bytes = Uint8Array.from(atob(img.currentSrc.split(',')[1]), c => c.charCodeAt(0));
  const svg = new DOMParser().parseFromString(new TextDecoder().decode(bytes), 'image/svg+xml').documentElement;
  const units = Number(svg.getAttribute('viewBox').split(' ')[2]);
  const sizes = Array.from(svg.querySelectorAll('text'), t => parseFloat(t.style.fontSize));
  return {left: box.left, right: box.right, figure: img.closest('figure').getBoundingClientRect().width,
          width: box.width, smallest: Math.min(...sizes) * box.width / units, texts: sizes.length};
})"""


def test_at_phone_width_every_chart_fits_the_screen_with_its_text_readable(browser, tmp_path):
    page = browser.new_page(viewport=PHONE)
    page.goto(report_html(2023, "shili-zrzyghj", tmp_path, history=True))
    charts = page.evaluate(CHARTS)
    assert len(charts) == 3
    for chart in charts:
        assert chart["left"] >= 0 and chart["right"] <= PHONE["width"], chart  # the last year and the legend shown
        assert chart["width"] <= chart["figure"] + 0.5, chart
        assert chart["texts"] > 10 and chart["smallest"] >= 10, chart  # px: the legend too
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def _edges(box) -> tuple[float, float]:
    """How dark the left and right edges of a scrolling box are drawn (0 white, 255 black), its
    table hidden: only what the box itself draws is seen."""
    from io import BytesIO

    from PIL import Image, ImageStat

    picture = Image.open(BytesIO(box.screenshot())).convert("L")
    width, height = picture.size
    darkness = lambda left: 255 - ImageStat.Stat(picture.crop((left, 0, left + 4, height))).mean[0]
    return darkness(0), darkness(width - 4)


@pytest.mark.parametrize("year, agency, wide", [
    (2023, "shili-zrzyghj", ["table-三", "table-四", "history-table"]),  # 表二 fits
    (2019, "shangqiu-jgswzx", ["table-统计表"]),  # the legacy form's one table
])
def test_at_phone_width_every_table_that_scrolls_shows_a_shadow_where_more_of_it_lies(browser, tmp_path, year, agency,
                                                                                     wide):
    page = browser.new_page(viewport=PHONE)
    page.goto(report_html(year, agency, tmp_path, history=True))
    boxes = [box for box in page.locator(SCROLLERS).all()
             if box.evaluate("box => box.scrollWidth > box.clientWidth + 1")]
    assert [next(kind for kind in box.get_attribute("class").split() if kind in wide) for box in boxes] == wide
    for box in boxes:
        box.evaluate("box => box.querySelectorAll('table').forEach(t => t.style.visibility = 'hidden')")
        at_start = _edges(box)
        box.evaluate("box => { box.scrollLeft = box.scrollWidth; }")
        at_end = _edges(box)
        kind = box.get_attribute("class")
        assert at_start[0] < 8 and at_start[1] > 25, (kind, at_start)  # more to the right only
        assert at_end[0] > 25 and at_end[1] < 8, (kind, at_end)        # more to the left only


def test_at_phone_width_the_history_tables_labels_and_years_stand_on_one_line(browser, tmp_path):
    page = browser.new_page(viewport=PHONE)
    page.goto(report_html(2023, "shili-zrzyghj", tmp_path, history=True))
    lines = page.evaluate("""() => Array.from(document.querySelectorAll('.history-table th'), th => {
      const range = document.createRange();
      range.selectNodeContents(th);
      return [th.textContent.trim(), new Set(Array.from(range.getClientRects(), r => Math.round(r.top))).size];
    })""")
    assert len(lines) > 15 and {"本年新收", "结转下年度", "申请办理", "2019年"} <= {label for label, _ in lines}
    assert [(label, count) for label, count in lines if count > 1] == []
