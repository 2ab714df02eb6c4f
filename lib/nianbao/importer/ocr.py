"""Scans: a page image (.png, .jpg) or a PDF page with no text layer, read by OCR.

The table grid comes from the page's own ruling: ink running straight for longer than any
character is a rule, and pdfplumber's grid finder makes cells of the rules as it does of a
PDF's lines. The rules are then erased and Tesseract (Debian's tesseract-ocr with its Simplified
Chinese model, offline) reads each cell on its own, and the page outside the tables for its
lines of text.

A number is taken only when two readings agree: the Chinese model's, then the Latin model's at
the scan's size, three times larger, and the Chinese model's three times larger, until two
agree. A cell whose readings never agree stays unknown, with a finding naming the page and what
was read; at 150 dpi the Chinese model alone misreads about 1 number in 20 (`61` as `Bl`, `4`
as `了`). Numbers run together are split by the table's sums later, as in any text.
"""
from __future__ import annotations

import csv
import io
import os
import re
import shutil
from collections import Counter
from pathlib import Path

from .. import limits
from . import layout, programs
from .groups import BLANK
from .layout import Line, Page, Row
from .sources import ImportFailed, Source
from .table_text import note

DPI = 150         # what a scanned PDF page is looked at in: the resolution scans are made at
WIDEST = 2600     # pixels across a page image is read at: an A4 page at 300 dpi; more only slows OCR
INK = 160         # grey levels below this are ink
RULE = 200        # and rules: a thin one prints light grey at 150 dpi
TESSERACT_SECONDS = 120
_CHINESE = ["-l", "chi_sim", "--psm", "6"]  # a cell is a block of text: one line or a few
# A cell as one line, read by the Latin model: no whitelist of digits, as Tesseract's LSTM then
# misses some lone digits altogether
_LATIN = ["-l", "eng", "--psm", "7"]
# The further readings of a number, until two agree: at 150 dpi a lone digit is often read by
# one and not the other (`了` for 7, `Bl` for 61, nothing for 0).
_NUMBERS = [(_LATIN, 1), (_LATIN, 3), (_CHINESE, 3)]
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_HAN = re.compile(r"[\u4e00-\u9fff]")


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
    except ImportFailed as failed:  # Tesseract missing or stuck
        raise ImportFailed(f"{path}: {failed}") from None
    return layout.source([Page("图片", items)], "scan", notes)


def read_page(picture, place: str, scale: float = 1.0) -> tuple[list[Line | Row], list]:
    """A page picture's table rows and lines, positions times `scale` (to the PDF's points),
    and the findings for the cells it could not read for certain."""
    import numpy as np
    from PIL import Image

    if picture.width > WIDEST:
        scale *= picture.width / WIDEST
        picture = picture.resize((WIDEST, round(picture.height * WIDEST / picture.width)))
    grey = np.asarray(picture.convert("L"))
    longest = max(grey.shape[1] // 30, 20)  # ~0.3 inch: longer than any character's stroke
    across, down = _segments(grey < RULE, longest), _segments((grey < RULE).T, longest)
    clean = grey.copy()  # the rules erased: Tesseract reads them as 一 and |
    for y, start, end in across:  # with a pixel either side: a rule's grey edge reads as 1 or l
        clean[max(y - 1, 0):y + 2, start:end] = 255
    for x, start, end in down:
        clean[start:end, max(x - 1, 0):x + 2] = 255
    rows = [row for table in _tables(across, down, tolerance=max(grey.shape[1] // 400, 2)) for row in table.rows
            # a row of one cell is a frame around text, or a block's title: read as lines
            if sum(cell is not None for cell in row.cells) >= 2]
    boxes = [box for row in rows for box in row.cells if box is not None]
    texts, unsure = _read_cells(clean, boxes)
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
        x0, top, x1, bottom = map(round, row.bbox)
        clean[top:bottom, x0:x1] = 255  # read once: the rest of the page is read for its lines
    (words,) = _tesseract([Image.fromarray(clean)], ["-l", "chi_sim", "--psm", "3"])
    items += [Line(top * scale, x0 * scale, x1 * scale, size * scale, text) for top, x0, x1, size, text in _lines(words)]
    return items, notes


def _read_cells(clean, boxes) -> tuple[dict, dict]:
    """Each cell's text, and for the cells whose number the readings disagree on, the readings
    (BLANK is their text)."""
    import numpy as np
    from PIL import Image

    crops = {}
    for box in boxes:
        x0, top, x1, bottom = (round(v) for v in box)
        inside = clean[top + 3:bottom - 2, x0 + 3:x1 - 2]  # off the rules, as drawn or erased
        ys, xs = np.nonzero(inside < INK)
        if len(ys) >= 8:  # fewer dark pixels are dust, not a character
            # the characters alone, without what is left of the rules around them
            ink = inside[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
            margin = ink.shape[0]  # Tesseract wants room around a line: a lone `0` is not read without
            picture = Image.new("L", (ink.shape[1] + 2 * margin, ink.shape[0] + 2 * margin), 255)
            picture.paste(Image.fromarray(ink), (margin, margin))
            crops[box] = picture
    texts = {box: "" for box in boxes}
    readings = {box: [_text(words)] for box, words in zip(crops, _tesseract(list(crops.values()), _CHINESE))}
    # A number, or what may be one misread: not a label of Chinese words
    numbers = [box for box, (text,) in readings.items() if len(_HAN.findall(text)) <= 1]
    for options, times in _NUMBERS:
        undecided = [box for box in numbers if not _agreed(readings[box])]
        for box, words in zip(undecided, _tesseract(_larger([crops[box] for box in undecided], times), options)):
            readings[box].append(_text(words))
    unsure = {}
    for box, found in readings.items():
        agreed = _agreed(found)
        if agreed or not any(_NUMBER.fullmatch(text) for text in found):
            texts[box] = agreed or found[0]
        else:
            texts[box] = BLANK
            unsure[box] = " 或 ".join(f"“{text}”" for text in dict.fromkeys(found) if text)
    return texts, unsure


def _larger(pictures, times: int) -> list:
    return [picture.resize((picture.width * times, picture.height * times)) for picture in pictures]


def _agreed(readings: list[str]) -> str:
    """The number that two readings give, if any."""
    counts = Counter(text for text in readings if _NUMBER.fullmatch(text))
    return next((text for text, count in counts.items() if count >= 2), "")


def _text(words) -> str:
    """A cell's text: its lines joined, so that a label printed one character a line is one label.
    The point after a sub-row's number that OCR drops (`1本机关…`) is put back: without it the
    number would pass for the last value of the row before."""
    text = "".join(text for *_, text in _lines(words)).replace(",", "")
    return re.sub(r"^(\d)(?=[\u4e00-\u9fff])", r"\1.", text)


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


def _tesseract(pictures: list, options: list[str]) -> list[list[tuple]]:
    """Tesseract's words in each picture, (x0, top, x1, bottom, confidence, text): one run for
    them all, as loading its model takes longer than reading a cell."""
    if not pictures:
        return []
    tesseract = shutil.which("tesseract")
    if tesseract is None:
        raise ImportFailed("读取扫描件需要 Tesseract OCR，本机没有安装（Debian 软件包 tesseract-ocr 和 "
                           "tesseract-ocr-chi-sim，`make setup` 会安装）")
    # The pictures as the pages of one TIFF on Tesseract's standard input, its words on its
    # output: no file to leave behind. One thread each, as the audit reads files in parallel.
    pages = io.BytesIO()
    pictures[0].save(pages, format="TIFF", save_all=True, append_images=pictures[1:], dpi=(DPI, DPI))
    done = programs.run([tesseract, "stdin", "stdout", *options, "tsv"], TESSERACT_SECONDS, input=pages.getvalue(),
                        env={**os.environ, "OMP_THREAD_LIMIT": "1"})
    if done.returncode == 124:
        raise ImportFailed(f"Tesseract 识别超过 {TESSERACT_SECONDS} 秒，已放弃")
    if done.returncode:
        if b"chi_sim" in done.stderr:
            raise ImportFailed("读取扫描件需要 Tesseract 的简体中文模型（Debian 软件包 tesseract-ocr-chi-sim）")
        raise ImportFailed(f"Tesseract 无法识别此图片，也可能识别所需内存超过上限 {limits.said()}")
    words: list[list[tuple]] = [[] for _ in pictures]
    table = io.StringIO(done.stdout.decode("utf-8", errors="replace"))
    for record in csv.DictReader(table, delimiter="\t", quoting=csv.QUOTE_NONE):
        text = (record["text"] or "").strip()
        if record["level"] == "5" and text:
            x0, top = int(record["left"]), int(record["top"])
            words[int(record["page_num"]) - 1].append(
                (x0, top, x0 + int(record["width"]), top + int(record["height"]), float(record["conf"]), text))
    return words


def _lines(words) -> list[tuple]:
    """Words gathered into lines, top to bottom: (top, x0, x1, height, text). A word belongs to
    a line when its middle lies within the line's height; Chinese words join without spaces."""
    lines: list[list] = []
    for word in sorted(words, key=lambda w: (w[1] + w[3]) / 2):
        middle = (word[1] + word[3]) / 2
        if lines and lines[-1][0] <= middle <= lines[-1][1]:
            lines[-1][2].append(word)
            lines[-1][1] = max(lines[-1][1], word[3])
        else:
            lines.append([word[1], word[3], [word]])
    out = []
    for top, bottom, members in lines:
        members.sort(key=lambda w: w[0])
        text = ""
        for word in members:
            if text and text[-1].isascii() and text[-1].isalnum() and word[5][0].isascii() and word[5][0].isalnum():
                text += " "
            text += word[5]
        out.append((top, members[0][0], max(w[2] for w in members), bottom - top, text))
    return out
