"""Published reports as text: what each kind of file holds, turned into lines the importer reads.

A page's tables become one line per table row, its cells two spaces apart and a blank cell
written `—`, so that a table from HTML or Markdown reads as `pdftotext -layout` output does.
Readers are registered by file suffix; other packages add theirs through the entry point group
``nianbao.importers`` (name: the suffix, object: a function ``read(path) -> Source``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from .tables import BLANK

_NUMBER = re.compile(r"\d+(?:\.\d+)?")


@dataclass(frozen=True)
class Source:
    text: str
    kind: str  # how the text was laid out: html, markdown, layout, lines or run-together


def readers() -> dict:
    found = {".txt": read_text, ".html": read_html, ".htm": read_html, ".md": read_markdown}
    for entry in metadata.entry_points(group="nianbao.importers"):
        found.setdefault(entry.name, entry.load())
    return found


def read_text(path: Path) -> Source:
    text = _decode(path.read_bytes())
    return Source(text, text_kind(text))


def text_kind(text: str) -> str:
    """How plain text was extracted: `pdftotext -layout` indents and aligns with runs of
    spaces; a scraped page has a cell or a paragraph per line; a crawler may run it all
    into a few very long lines."""
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        return "lines"
    aligned = sum(bool(re.search(r"\S {3,}\S", line)) or line.startswith("   ") for line in lines)
    if aligned >= 0.2 * len(lines):
        return "layout"
    if max(len(line) for line in lines) > 2000 and len(lines) < 40:
        return "run-together"
    return "lines"


def read_html(path: Path) -> Source:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(_decode(path.read_bytes()), "html.parser")
    for hidden in soup(["script", "style", "head", "noscript"]):
        hidden.decompose()
    for table in soup.find_all("table"):
        lines = [_row_line([cell.get_text(" ", strip=True) for cell in row.find_all(["td", "th"])])
                 for row in table.find_all("tr")]
        table.replace_with("\n" + "\n".join(line for line in lines if line) + "\n")
    for br in soup.find_all("br"):
        br.replace_with("\n")
    for block in soup.find_all(["p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "section", "article"]):
        block.insert_before("\n")
        block.insert_after("\n")
    text = soup.get_text()
    return Source(_tidy(text), "html")


def read_markdown(path: Path) -> Source:
    lines = []
    for line in _decode(path.read_bytes()).splitlines():
        stripped = line.strip()
        if stripped.startswith("|") and stripped.endswith("|"):
            cells = [cell.strip() for cell in stripped[1:-1].split("|")]
            if all(re.fullmatch(r":?-{2,}:?", cell) for cell in cells if cell):
                continue  # the line under a Markdown table's header
            lines.append(_row_line(cells))
        else:
            lines.append(re.sub(r"^#+\s*|\*\*|__", "", stripped))
    return Source("\n".join(lines), "markdown")


def _row_line(cells: list[str]) -> str:
    """A table row as a line: its labels, then its values two spaces apart, `—` for blanks.

    The values are the trailing cells that hold a number or nothing; a label cell repeated
    by a span is written once.
    """
    cells = [cell.replace("\xa0", " ").strip() for cell in cells]
    start = len(cells)
    while start > 0 and (not cells[start - 1] or _NUMBER.fullmatch(cells[start - 1].replace(",", ""))):
        start -= 1
    labels: list[str] = []
    for cell in cells[:start]:
        if cell and (not labels or labels[-1] != cell):
            labels.append(cell)
    values = [cell.replace(",", "") or BLANK for cell in cells[start:]]
    if not labels and all(value == BLANK for value in values):
        return ""  # an empty row, or spacer cells
    return "  ".join([" ".join(labels), *values]).strip()


def _tidy(text: str) -> str:
    text = text.replace("\xa0", " ").replace("\r", "")
    return re.sub(r"\n\s*\n(\s*\n)+", "\n\n", text)


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="replace")
