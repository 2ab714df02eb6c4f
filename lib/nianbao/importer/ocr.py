"""Scans: a page image (.png, .jpg) or a PDF page with no text layer, read by OCR.

A page scanned askew is first turned level: the angle is the one at which its rows of ink (the
rules and the lines of text) stand out most sharply, each row's ink summed across the page.
The table grid then comes from the page's own ruling: ink running straight for longer than any
character is a rule, and pdfplumber's grid finder makes cells of the rules as it does of a
PDF's lines. The rules are then erased and an OCR engine reads the cells and the page's lines
of text outside the tables.

The engine is RapidOCR (`ocr_rapid`: PP-OCRv6 models from its wheel, offline), or Tesseract
(`ocr_tesseract`: Debian's chi_sim model) when NIANBAO_OCR=tesseract. benchmarks/ocr.py
measures both on scans of real reports, and docs/ocr.md gives its figures: RapidOCR reads more
cells exactly, digits and labels, for about 2.5 times Tesseract's CPU a page. A cell whose number
is uncertain stays unknown, with a finding naming the page and what was read. Numbers run
together are split by the table's sums later, as in any text.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

from . import layout, ocr_rapid, ocr_tesseract
from .groups import BLANK
from .layout import Line, Page, Row
from .sources import ImportFailed, Source
from .table_text import note
from .words import lines

DPI = 150         # what a scanned PDF page is looked at in: the resolution scans are made at
WIDEST = 2600     # pixels across a page image is read at: an A4 page at 300 dpi; more only slows OCR
RULE = 200        # grey levels below this are rules: a thin one prints light grey at 150 dpi
STEEPEST = 5      # degrees a page may be askew and be turned level: a scanner's feed, not a photograph
ENGINES = {"rapidocr": ocr_rapid, "tesseract": ocr_tesseract}
VARIABLE = "NIANBAO_OCR"
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def read_image(path: Path) -> Source:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            picture = image.convert("L")
    except Image.DecompressionBombError:
        most = 2 * Image.MAX_IMAGE_PIXELS // 10**6  # PIL refuses pictures past twice its limit
        raise ImportFailed(f"{path}: 图片超过 {most} 百万像素，不像一页扫描件") from None
    except (OSError, UnidentifiedImageError):
        raise ImportFailed(f"{path}: 图片已损坏或不是图片，无法读取") from None
    try:
        items, notes = read_page(picture, "图片")
    except ImportFailed as failed:  # the OCR engine missing or stuck
        raise ImportFailed(f"{path}: {failed}") from None
    return layout.source([Page("图片", items)], "scan", notes)


def read_page(picture, place: str, scale: float = 1.0) -> tuple[list[Line | Row], list]:
    """A page picture's table rows and lines, positions times `scale` (to the PDF's points),
    and the findings for the cells it could not read for certain."""
    import numpy as np

    read = engine().read  # first: a missing engine is said before any work
    if picture.width > WIDEST:
        scale *= picture.width / WIDEST
        picture = picture.resize((WIDEST, round(picture.height * WIDEST / picture.width)))
    grey, _ = straighten(np.asarray(picture.convert("L")))
    longest = max(grey.shape[1] // 30, 20)  # ~0.3 inch: longer than any character's stroke
    across, down = _segments(grey < RULE, longest), _segments((grey < RULE).T, longest)
    clean = grey.copy()  # the rules erased: OCR reads them as 一 and |
    for y, start, end in across:  # with a pixel either side: a rule's grey edge reads as 1 or l
        clean[max(y - 1, 0):y + 2, start:end] = 255
    for x, start, end in down:
        clean[start:end, max(x - 1, 0):x + 2] = 255
    rows = [row for table in _tables(across, down, tolerance=max(grey.shape[1] // 400, 2)) for row in table.rows
            # a row of one cell is a frame around text, or a block's title: read as lines
            if sum(cell is not None for cell in row.cells) >= 2]
    texts, unsure, words = read(clean, [box for row in rows for box in row.cells if box is not None],
                                [row.bbox for row in rows])
    items: list[Line | Row] = []
    notes = []
    for row in rows:
        cells = []
        for box in row.cells:
            text = None if box is None else texts[box]
            if box in unsure:
                label = next((c for c in reversed(cells) if c and c != BLANK and not _NUMBER.fullmatch(c)), "")
                notes.append(note("导入.识别不确定", f"扫描件{place}表格“{label}”行有一格无法确定"
                                                   f"（识别为 {unsure[box]}），按未知处理", found=unsure[box]))
            # digits of two cells whose rule between was not found: split at their space
            cells.extend(text.split(" ") if text and re.fullmatch(r"[\d.]+(?: [\d.]+)+", text) else [text])
        items.append(Row(row.bbox[1] * scale, cells))
    items += [Line(top * scale, x0 * scale, x1 * scale, size * scale, text) for top, x0, x1, size, text in lines(words)]
    return items, notes


def engine():
    """The OCR engine NIANBAO_OCR names, RapidOCR when it names none."""
    name = os.environ.get(VARIABLE) or "rapidocr"
    if name not in ENGINES:
        raise ImportFailed(f"环境变量 {VARIABLE} 应为 {' 或 '.join(ENGINES)}，而不是“{name}”")
    return ENGINES[name]


def straighten(grey):
    """The page turned level, and the angle it was turned by, in degrees (counterclockwise).

    Level, the rules and the lines of text fall each on a few rows of pixels, and the sum of the
    squared ink of each row is at its largest. It is found every quarter degree up to STEEPEST
    either way on the page at 500 pixels across, then every fortieth near the best at 1000. A
    page level within 0.1° is left as it is: a rule across it drifts by less than 2 pixels,
    which the grid finder's tolerance takes."""
    import cv2
    import numpy as np

    def sharpest(across: int, angles) -> float:
        shrink = min(1.0, across / grey.shape[1])
        ink = (cv2.resize(grey, None, fx=shrink, fy=shrink, interpolation=cv2.INTER_AREA) < RULE).astype(np.float32)
        middle, size = (ink.shape[1] / 2, ink.shape[0] / 2), (ink.shape[1], ink.shape[0])

        def sharpness(angle: float) -> float:
            turned = cv2.warpAffine(ink, cv2.getRotationMatrix2D(middle, angle, 1.0), size, flags=cv2.INTER_NEAREST)
            rows = turned.sum(axis=1)
            return float(np.dot(rows, rows))

        return float(max(angles, key=sharpness))

    coarse = sharpest(500, np.arange(-STEEPEST, STEEPEST + 0.1, 0.25))
    angle = sharpest(1000, np.arange(coarse - 0.25, coarse + 0.26, 0.025))
    if abs(angle) < 0.1:
        return grey, 0.0
    turn = cv2.getRotationMatrix2D((grey.shape[1] / 2, grey.shape[0] / 2), angle, 1.0)
    level = cv2.warpAffine(grey, turn, (grey.shape[1], grey.shape[0]), flags=cv2.INTER_LINEAR,
                           borderMode=cv2.BORDER_CONSTANT, borderValue=255)
    return level, angle


def _segments(ink, longest: int) -> list[tuple[int, int, int]]:
    """The runs of ink along the rows of a picture at least `longest` pixels long, as (row,
    start, end): the rules. Each run starts and ends in its row, so that starts and ends pair
    up in order."""
    import numpy as np

    change = np.diff(np.pad(ink, ((0, 0), (1, 1))).astype(np.int8), axis=1)
    rows, starts = np.nonzero(change == 1)
    ends = np.nonzero(change == -1)[1]
    long = ends - starts >= longest
    return list(zip(rows[long].tolist(), starts[long].tolist(), ends[long].tolist()))


def _tables(across, down, tolerance: int):
    """The ruled grids of a page, as pdfplumber finds them from a PDF's lines."""
    from pdfplumber.table import Table, cells_to_tables, edges_to_intersections, intersections_to_cells, merge_edges

    edges = [{"x0": start, "x1": end, "top": y, "bottom": y, "width": end - start, "height": 0,
              "orientation": "h", "object_type": "line"} for y, start, end in across]
    edges += [{"x0": x, "x1": x, "top": start, "bottom": end, "width": 0, "height": end - start,
               "orientation": "v", "object_type": "line"} for x, start, end in down]
    edges = merge_edges(edges, tolerance, tolerance, tolerance, tolerance)
    cells = intersections_to_cells(edges_to_intersections(edges, tolerance, tolerance))
    return [Table(None, group) for group in cells_to_tables(cells)]
