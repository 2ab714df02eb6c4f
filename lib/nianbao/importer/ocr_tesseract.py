"""Tesseract (Debian's tesseract-ocr with its Simplified Chinese model, offline) as the scans'
OCR engine: each table cell read on its own, then the page outside the tables for its lines.

A number is taken only when two readings agree: the Chinese model's, then the Latin model's at
the scan's size, three times larger, and the Chinese model's three times larger, until two
agree. A cell whose readings never agree stays unknown; at 150 dpi the Chinese model alone
misreads about 1 number in 20 (`61` as `Bl`, `4` as `了`).
"""
from __future__ import annotations

import csv
import io
import os
import re
import shutil
from collections import Counter

from .. import limits
from . import programs
from .groups import BLANK
from .sources import ImportFailed
from .words import cell_ink, cell_text

NAME = "Tesseract chi_sim"
SECONDS = 120
_CHINESE = ["-l", "chi_sim", "--psm", "6"]  # a cell is a block of text: one line or a few
# A cell as one line, read by the Latin model: no whitelist of digits, as Tesseract's LSTM then
# misses some lone digits altogether
_LATIN = ["-l", "eng", "--psm", "7"]
# The further readings of a number, until two agree: at 150 dpi a lone digit is often read by
# one and not the other (`了` for 7, `Bl` for 61, nothing for 0).
_NUMBERS = [(_LATIN, 1), (_LATIN, 3), (_CHINESE, 3)]
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_HAN = re.compile(r"[\u4e00-\u9fff]")


def read(page, cells: list[tuple], rows: list[tuple]) -> tuple[dict, dict, list]:
    """Each cell's text, the readings of the cells whose number is uncertain (BLANK is their
    text), and the words of the page outside the table rows; `page` is grey, rules erased."""
    from PIL import Image

    texts, unsure = _read_cells(page, cells)
    rest = page.copy()
    for x0, top, x1, bottom in (map(round, row) for row in rows):
        rest[top:bottom, x0:x1] = 255  # read once: the rest of the page is read for its lines
    (words,) = _tesseract([Image.fromarray(rest)], ["-l", "chi_sim", "--psm", "3"])
    return texts, unsure, words


def _read_cells(clean, boxes) -> tuple[dict, dict]:
    from PIL import Image

    crops = {}
    for box in boxes:
        ink = cell_ink(clean, box)
        if ink is not None:
            margin = ink.shape[0]  # Tesseract wants room around a line: a lone `0` is not read without
            picture = Image.new("L", (ink.shape[1] + 2 * margin, ink.shape[0] + 2 * margin), 255)
            picture.paste(Image.fromarray(ink), (margin, margin))
            crops[box] = picture
    texts = {box: "" for box in boxes}
    readings = {box: [cell_text(words)] for box, words in zip(crops, _tesseract(list(crops.values()), _CHINESE))}
    # A number, or what may be one misread: not a label of Chinese words
    numbers = [box for box, (text,) in readings.items() if len(_HAN.findall(text)) <= 1]
    for options, times in _NUMBERS:
        undecided = [box for box in numbers if not _agreed(readings[box])]
        for box, words in zip(undecided, _tesseract(_larger([crops[box] for box in undecided], times), options)):
            readings[box].append(cell_text(words))
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


def _tesseract(pictures: list, options: list[str]) -> list[list[tuple]]:
    """Tesseract's words in each picture: one run for them all, as loading its model takes
    longer than reading a cell."""
    if not pictures:
        return []
    tesseract = shutil.which("tesseract")
    if tesseract is None:
        raise ImportFailed("读取扫描件需要 Tesseract OCR，本机没有安装（Debian 软件包 tesseract-ocr 和 "
                           "tesseract-ocr-chi-sim，`make setup` 会安装）")
    # The pictures as the pages of one TIFF on Tesseract's standard input, its words on its
    # output: no file to leave behind. One thread each, as the audit reads files in parallel.
    pages = io.BytesIO()
    pictures[0].save(pages, format="TIFF", save_all=True, append_images=pictures[1:], dpi=(150, 150))
    done = programs.run([tesseract, "stdin", "stdout", *options, "tsv"], SECONDS, input=pages.getvalue(),
                        env={**os.environ, "OMP_THREAD_LIMIT": "1"})
    if done.returncode == 124:
        raise ImportFailed(f"Tesseract 识别超过 {SECONDS} 秒，已放弃")
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
