"""PDF files: tables from the PDF's own ruled grid, the rest from its positioned text; a page
with no text layer (a scan) through OCR.

The reports are ruled grids with merged cells (table 三: 10 grid columns, table 四: 15).
pdfplumber finds the grid from the page's rules and gives each cell its text, so a row's
numbers never run together and a blank cell stays a cell. A table that goes on over a page
break is two grids, its rows in order with the page footer between them: the importer reads
them as one, and a label split across the break still ends right before its numbers. Text
outside the grids (the narrative, and tables printed without rules) comes as positioned lines.
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from . import layout, ocr
from .layout import Line, Page, Row
from .sources import ImportFailed, Source

# Reports run to a few dozen pages; a file with more is not one, and reading it would take
# minutes (about 0.3 s a page).
MOST_PAGES = 200
# What a page draws, unpacked: a real report's pages draw 30–45 KB each. A page that draws far
# more (a million one-letter texts: 7 MB, 2.4 GB and 50 s to read) is refused before it is read.
MOST_DRAWN = 4 * 2**20
# The grid from the page's lines and rectangles only: the text strategy would make tables of
# the narrative.
_GRID = {"vertical_strategy": "lines", "horizontal_strategy": "lines"}


def read_pdf(path: Path) -> Source:
    import pdfplumber
    from pdfminer.pdfdocument import PDFPasswordIncorrect
    from pdfminer.pdftypes import stream_value

    pages: list[Page] = []
    notes: list = []  # cells OCR could not read for certain
    scanned = False
    try:
        with pdfplumber.open(path) as pdf:
            if len(pdf.pages) > MOST_PAGES:
                raise ImportFailed(f"{path}: PDF 有 {len(pdf.pages)} 页，超过 {MOST_PAGES} 页，不像一份年度报告")
            title = str(pdf.metadata.get("Title") or "")
            for number, page in enumerate(pdf.pages, 1):
                place = f"第 {number} 页"
                drawn = sum(len(stream_value(stream).get_data()) for stream in page.page_obj.contents)
                if drawn > MOST_DRAWN:
                    raise ImportFailed(f"{path}: PDF {place}的内容解压后有 {drawn // 2**20} MB，"
                                       f"超过 {MOST_DRAWN // 2**20} MB，不像一份年度报告")
                if page.chars:
                    pages.append(Page(place, page_items(page)))
                else:  # a scanned page: its picture as the PDF shows it, read by OCR
                    # at most WIDEST pixels a side: a page may be declared metres wide
                    resolution = min(ocr.DPI, 72 * ocr.WIDEST / max(page.width, page.height, 1))
                    picture = page.to_image(resolution=resolution).original
                    try:
                        items, unsure = ocr.read_page(picture, place, scale=72 / resolution)
                    except ImportFailed as failed:  # the OCR engine missing or stuck
                        raise ImportFailed(f"{path}: {place}是扫描页面，{failed}") from None
                    pages.append(Page(place, items))
                    notes += unsure
                    scanned = True
                page.close()  # what was read of it: the pages read before would stay in memory
    except (ImportFailed, MemoryError):
        raise
    except Exception as error:  # pdfminer's many errors on a damaged file, wrapped or not
        cause = error.args[0] if error.args and isinstance(error.args[0], Exception) else error
        if isinstance(cause, MemoryError):
            raise cause from None
        if isinstance(cause, PDFPasswordIncorrect):
            raise ImportFailed(f"{path}: PDF 文件设有打开密码，无法读取") from None
        raise ImportFailed(f"{path}: PDF 文件已损坏或不是 PDF，无法读取") from None
    if not any(page.items for page in pages):
        raise ImportFailed(f"{path}: PDF 中没有文字，也没有可识别的扫描页面")
    source = layout.source(pages, "scan" if scanned else "pdf", notes)
    return replace(source, titles=((title, "PDF 文档属性“标题”"),))


def page_items(page) -> list[Line | Row]:
    """A page's table rows from its ruled grids, and its other text as lines."""
    page = page.dedupe_chars()  # text drawn twice to look bold would read `规规章章`
    rows: list[Row] = []
    boxes = []
    for table in page.find_tables(_GRID):
        for row, texts in zip(table.rows, table.extract()):
            # A row of one cell is a frame around narrative (the 洪泽 reports) or a block's
            # title: its text is read as lines, with their indents.
            if sum(text is not None for text in texts) >= 2:
                rows.append(Row(row.bbox[1], [None if text is None else layout.cell_text(text) for text in texts]))
                boxes.append(row.bbox)

    def outside(obj) -> bool:
        if obj.get("object_type") != "char":
            return True
        x, y = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
        return not any(x0 <= x < x1 and top <= y < bottom for x0, top, x1, bottom in boxes)

    lines = [Line(line["top"], line["x0"], line["x1"], line["chars"][0]["size"], line["text"])
             for line in page.filter(outside).extract_text_lines()]
    return [*rows, *lines]
