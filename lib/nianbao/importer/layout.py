"""A laid-out document (a PDF's pages, scanned or not) as the text the importer reads.

Readers of such files give, for each page, what is printed on it in order from the top: table
rows whose cells they know (`Row`), and lines of text outside any table cell (`Line`). A row
becomes one line, its labels and then its values two spaces apart, as an HTML table does;
lines become paragraphs, a paragraph ending where the next line is indented or the line is
short of the right margin. Each line of the text keeps the place it came from (`第 3 页`), so
that the audit can say where each table was found.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from .sources import Source, row_line

_LINE_BREAKS = str.maketrans({c: " " for c in "\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"})
# Page numbers printed at the foot of a page (`- 3 -`, `第 3 页`): not part of any paragraph.
_PAGE_NUMBER = re.compile(r"[-—–\s]*(?:第\s*)?\d{1,4}\s*(?:页[^\n]{0,12})?[-—–\s]*")


@dataclass
class Line:
    """A line of text outside the tables' cells, with where it stands on the page."""
    top: float
    x0: float
    x1: float
    size: float  # the height of its characters: an indent is measured in them
    text: str


@dataclass
class Row:
    """A table row: each cell's text, None where a merged cell covers the grid's column."""
    top: float
    cells: list[str | None]


@dataclass
class Page:
    place: str                    # where it is in the file, for people: `第 3 页`
    items: list[Line | Row]


def cell_text(text: str) -> str:
    """A cell's text on one line: a label wrapped in a narrow cell (or printed one character a
    line) is one label, a number wrapped in it one number."""
    return "".join(part.strip() for part in one_line(text).split("\n"))


def one_line(text: str) -> str:
    """Text without the characters other than `\\n` that `str.splitlines` breaks lines at:
    they would shift the places of the lines after them."""
    return text.translate(_LINE_BREAKS)


def source(pages: list[Page], kind: str, notes=()) -> Source:
    """The pages as text, a paragraph or a table row a line, with the place of every line."""
    lines = [item for page in pages for item in page.items if isinstance(item, Line)]
    left = _most_common(line.x0 for line in lines)
    right = _most_common(line.x1 for line in lines)
    text: list[str] = []
    places: list[str] = []
    previous: Line | None = None  # the last line of the paragraph being written, if any
    for page in pages:
        for item in sorted(page.items, key=lambda item: item.top):
            if isinstance(item, Row):
                line = row_line([cell for cell in item.cells if cell is not None])
                if line:
                    text.append(one_line(line))
                    places.append(page.place)
                previous = None
                continue
            words = one_line(item.text).strip()
            if not words or _PAGE_NUMBER.fullmatch(words):
                continue
            if previous and item.x0 < left + item.size / 2 and previous.x1 > right - 1.5 * previous.size:
                # the line goes on the paragraph before it, across a page break too
                # (joined as printed: Chinese text breaks anywhere, inside a number too)
                text[-1] += words
            else:
                text.append(words)
                places.append(page.place)
            previous = item
    return Source("\n".join(text), kind, places=tuple(places), notes=tuple(notes))


def _most_common(values) -> float:
    counts = Counter(round(value) for value in values)
    return counts.most_common(1)[0][0] if counts else 0.0
