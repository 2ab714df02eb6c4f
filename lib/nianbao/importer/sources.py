"""Published reports as text: what each kind of file holds, turned into lines the importer reads.

A page's tables become one line per table row, its cells two spaces apart and a blank cell
written `—`, so that a table from HTML or Markdown reads as `pdftotext -layout` output does.
PDF, Word and scans are read in `pdf`, `word` and `ocr`, their tables from their own cells.
Readers are registered by file suffix; other packages add theirs through the entry point group
``nianbao.published_formats`` (name: the suffix, object: a function ``read(path) -> Source``).
"""
from __future__ import annotations

import codecs
import html
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from .. import dates
from ..checks.findings import Finding
from ..errors import NianbaoError
from .groups import BLANK

_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_BLANK_MARK = re.compile(r"[—－\-/／]+")  # what a blank cell may be printed as instead of nothing
# Browsers stop nesting elements at 512 levels (Blink's parser). A page nested deeper is not one
# anybody reads: it is refused before BeautifulSoup builds it (100,000 nested divs: 3.5 s to
# build; they never finished before, 200 nested tables took 78 s).
DEEPEST = 512
# The elements a page's text breaks its lines around, and those it shows no text of.
_BLOCKS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "section", "article", "tr", "td", "th"}
_HIDDEN = {"script", "style", "head", "noscript"}


class ImportFailed(NianbaoError, ValueError):
    """A file that gives no record at all (unreadable, or no report year anywhere)."""


@dataclass(frozen=True)
class Source:
    text: str
    kind: str  # how the text was laid out: html, markdown, layout, lines, run-together; pdf, docx, doc, scan
    # where each line of the text is in the file (`第 3 页`), for files that have places to name
    places: tuple[str, ...] = ()
    notes: tuple[Finding, ...] = ()  # what the reader itself could not read for certain
    # the titles the file carries besides its text, each with where it is: a page's `<title>`,
    # a Word file's or a PDF's title property
    titles: tuple[tuple[str, str], ...] = ()
    # the publication date the file carries besides its text, with where it is: a page's
    # `<meta name="PubDate">` (the 政府网站 page standard's), when the page prints none
    published: tuple[str, str] = ()


def read_text(path: Path) -> Source:
    text = _decode(path)
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
    """The page's text: its innermost tables a line per row, its blocks on lines of their own.

    A table that holds a table lays out the page (or holds one in a cell): its cells are
    blocks. The page is walked once and left as it is: changing BeautifulSoup's tree takes time
    growing with its depth (a line break after each of 100 chains of 500 nested divs: 6 s).
    """
    from bs4 import BeautifulSoup, CData, NavigableString, Tag
    from bs4.exceptions import ParserRejectedMarkup

    page = _decode(path)
    try:  # html.parser rejects a few malformed declarations (`<![foo[`) with an AssertionError
        if _too_deep(page):
            raise ImportFailed(f"{path}: 网页的元素嵌套超过 {DEEPEST} 层，不是可读的网页")
        soup = BeautifulSoup(page, "html.parser")
        text, stack = [], [soup]
    except (AssertionError, ParserRejectedMarkup) as error:
        raise ImportFailed(f"{path}: 网页的标记无法解析：{str(error).splitlines()[-1].strip()}") from None
    while stack:  # depth first without recursion, as a page nests hundreds of levels
        node = stack.pop()
        if not isinstance(node, Tag):
            if type(node) in (str, NavigableString, CData):  # not comments, doctypes and the like
                text.append(node)
        elif node.name == "br":
            text.append("\n")
        elif node.name == "table" and node.find("table") is None:  # looks at each element once, all told
            lines = [row_line([cell.get_text(" ", strip=True) for cell in row.find_all(["td", "th"])])
                     for row in node.find_all("tr")]
            text.append("\n" + "\n".join(line for line in lines if line) + "\n")
        elif node.name not in _HIDDEN:
            around = ["\n"] if node.name in _BLOCKS else []
            stack += around + node.contents[::-1] + around
    title = re.search(r"<title[^>]{0,200}>([^<]{1,500})<", page, re.I)
    titles = ((html.unescape(title.group(1)), "网页标题 <title>"),) if title else ()
    return Source(_tidy("".join(text)), "html", titles=titles, published=_published(soup))


# The meta elements government sites give a page's publication date: `PubDate` (the 政府网站
# page standard's, GB/T and 国办 guidance), and the common others.
_PUBLISHED_META = re.compile(r"^(?:pubdate|publishdate|publish_date|article:published_time)$", re.IGNORECASE)


def _published(soup) -> tuple[str, str]:
    for attribute in ("name", "property"):
        meta = soup.find("meta", attrs={attribute: _PUBLISHED_META})
        if meta is not None and dates.parse(str(meta.get("content", "")))[0] is not None:
            return dates.as_written(dates.parse(meta["content"])[0]), f"网页 <meta {attribute}=\"{meta[attribute]}\">"
    return ()


class _TooDeep(Exception):
    pass


class _Depth(HTMLParser):
    """How deep a page nests its elements, as BeautifulSoup's tree will: an element stays open
    until its end tag, or until the end tag of an element around it. Stops past DEEPEST."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
            "track", "wbr"}

    def __init__(self):
        super().__init__()
        self.open: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.open.append(tag)
            if len(self.open) > DEEPEST:
                raise _TooDeep

    def handle_endtag(self, tag):
        if tag in self.open:
            del self.open[len(self.open) - 1 - self.open[::-1].index(tag):]


def _too_deep(page: str) -> bool:
    try:
        _Depth().feed(page)
    except _TooDeep:
        return True
    return False


def read_markdown(path: Path) -> Source:
    lines = []
    for line in _decode(path).splitlines():
        stripped = line.strip()
        if stripped.startswith("|") and stripped.endswith("|"):
            cells = [cell.strip() for cell in stripped[1:-1].split("|")]
            if all(re.fullmatch(r":?-{2,}:?", cell) for cell in cells if cell):
                continue  # the line under a Markdown table's header
            lines.append(row_line(cells))
        else:
            lines.append(re.sub(r"^#+\s*|\*\*|__", "", stripped))
    return Source("\n".join(lines), "markdown")


def row_line(cells: list[str]) -> str:
    """A table row as a line: its labels, then its values two spaces apart, `—` for blanks.

    The values are the trailing cells that hold a number, nothing or a dash; a label cell
    repeated by a span is written once.
    """
    cells = [cell.replace("\xa0", " ").strip() for cell in cells]  # str.strip takes U+3000 off too
    cells = [BLANK if _BLANK_MARK.fullmatch(cell) else cell for cell in cells]
    start = len(cells)
    while start > 0 and (cells[start - 1] in ("", BLANK) or _NUMBER.fullmatch(cells[start - 1].replace(",", ""))):
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


def _decode(path: Path) -> str:
    """A file's text: UTF-16 with its byte order mark, else UTF-8 or GB18030 (what Chinese
    government sites publish). A file with control characters in it is not text at all."""
    data = path.read_bytes()
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings = ["utf-16"]
    else:
        nul = data.count(0)
        if nul > len(data) // 20:  # UTF-16 writes one beside every ASCII character
            raise ImportFailed(f"{path}: 无法识别文件编码：含 {nul} 个空字节（NUL），可能是不带 BOM 的 UTF-16")
        controls = len(data) - len(data.translate(None, _CONTROLS))
        if controls > len(data) // 100:
            raise ImportFailed(f"{path}: 不是文字文件：含 {controls} 个控制字符")
        encodings = ["utf-8-sig", "gb18030"]
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFailed(f"{path}: 无法识别文件编码：不是 UTF-8、GB18030 或带 BOM 的 UTF-16 文字")


# Bytes no text holds (in UTF-8 and GB18030 they are always these characters): NUL and the other
# C0 controls but tab, line feed, vertical tab, form feed and carriage return, and DEL. Random
# bytes hold 11% of them; a stray one in a scraped page is let be.
_CONTROLS = bytes([*range(0, 9), *range(14, 32), 127])
