"""The report's document as a Word file (.docx) that Word and WPS open in the official layout.

Analysts pass reports to their leaders for sign-off in Word or WPS, and publish them with a
【下载Word】 link. The file draws the report's document (document/__init__.py) as the HTML page
and the PDF do: title, lead, the parts in the template's order with what an analyst's cells
added, the official tables, the signature, the appendices.

It is built with python-docx, a well-kept library that writes real Word tables with merged
cells, paragraph styles, East Asian fonts and pictures; the few properties it has no API for
(w:eastAsia font names, w:tblHeader, w:cantSplit, the page number field) are set through its
oxml layer. Page and type follow GB/T 9704 (word_style.py); tables are laid out from the
document's merged-cell blocks (word_tables.py).

Untrusted text stays text: every string is written as a run's text, which Word never reads as
a field or a link.
"""
from __future__ import annotations

import base64
import dataclasses
import functools
import io
import re
from datetime import datetime, timezone

from docx import Document as WordDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.text.paragraph import Paragraph as WordParagraph

from ..document import Chart, Document, Heading, Image, Lead, ListBlock, Paragraph, Run, Signature, Table, Title
from . import word_style, word_tables
from .word_style import CHARACTER, LINE, TABLE, TITLE

# Word keeps a document's title and author in 255 characters at most.
PROPERTY_LENGTH = 255


def docx(document: Document) -> bytes:
    """The document as the bytes of a .docx file."""
    word = WordDocument(io.BytesIO(_blank(draft=document.draft)))
    for block in document.blocks:
        _draw(word, _xml_safe(block))
    properties = word.core_properties  # python-docx's template says "python-docx" here
    properties.title = _NOT_XML.sub("", document.title)[:PROPERTY_LENGTH]
    properties.author = _NOT_XML.sub("", document.author)[:PROPERTY_LENGTH]
    properties.last_modified_by = properties.comments = properties.keywords = properties.subject = ""
    properties.created = properties.modified = datetime.now(timezone.utc)
    buffer = io.BytesIO()
    word.save(buffer)
    return buffer.getvalue()


@functools.cache
def _blank(draft: str) -> bytes:
    """An empty report in the official page and type (word_style.prepare), with the draft mark
    `draft` in its header when there is one, made once per process for each: preparing it took
    a quarter of a report's Word file."""
    document = WordDocument()
    word_style.prepare(document, draft=draft)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _paragraph(document, text: str = "", style: str | None = None):
    """document.add_paragraph, its style set by id: python-docx looks a style's name up among
    all the styles, and the default style among them, every time (a fifth of the Word file)."""
    paragraph = document.add_paragraph(text)
    if style:
        paragraph._p.style = _style_id(style)
    return paragraph


@functools.cache
def _style_id(name: str) -> str:
    return WordDocument(io.BytesIO(_blank(draft=""))).styles[name].style_id


# Characters XML 1.0 cannot hold: a notebook's JSON may carry them, and lxml refuses them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_safe(block):
    """A block without the characters XML cannot hold, in every string it has."""
    if isinstance(block, str):
        return _NOT_XML.sub("", block)
    if isinstance(block, list):
        return [_xml_safe(item) for item in block]
    if dataclasses.is_dataclass(block):
        return type(block)(**{f.name: _xml_safe(getattr(block, f.name)) for f in dataclasses.fields(block)})
    return block


# ---- Blocks ----

def _draw(word, block, depth: int = 0) -> None:
    """One block of the document; `depth` is how many lists it stands in."""
    if isinstance(block, Title):
        paragraph = _paragraph(word, style=TITLE)
        _lines(paragraph, block.lines)
    elif isinstance(block, Lead):
        word.add_paragraph(block.text)
    elif isinstance(block, Heading):
        _heading(word, block)
    elif isinstance(block, Paragraph):
        _text(word, block, depth)
    elif isinstance(block, ListBlock):
        for number, item in enumerate(block.items, block.start):
            marker = Run(f"{number}. " if block.ordered else "• ")  # numbered as the HTML numbers them
            if item and isinstance(item[0], Paragraph):
                item = [Paragraph([marker, *item[0].runs], item[0].style), *item[1:]]
            else:
                item = [Paragraph([marker]), *item]
            for inner in item:
                _draw(word, inner, depth + 1)
    elif isinstance(block, Table):
        word_tables.table(word, block)
    elif isinstance(block, Signature):
        # the body's last paragraph (its last lines, if it runs over a page) goes with the
        # signature to its page: a signature never stands alone at a page's top
        last = word.element.body[-2]  # the last child is the section's properties
        if last.tag == qn("w:p"):
            WordParagraph(last, word).paragraph_format.keep_with_next = True
        for number, line in enumerate(block.lines):
            paragraph = word.add_paragraph(line.text)
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            formatting = paragraph.paragraph_format
            formatting.first_line_indent, formatting.right_indent = Pt(0), Pt(line.right * CHARACTER)
            formatting.space_before = LINE if number == 0 else Pt(0)  # 正文下空一行
            formatting.keep_with_next = number < len(block.lines) - 1
    elif isinstance(block, Chart):
        from .charts import draw  # matplotlib: only for reports with charts

        _centred(_paragraph(word, block.title, "Heading 2"))
        _picture(word, draw(block, "png"))
        for note in block.notes:
            _paragraph(word, note, TABLE).alignment = WD_ALIGN_PARAGRAPH.LEFT
    elif isinstance(block, Image):
        _image(word, block)


def _heading(word, block: Heading) -> None:
    """A part's title or a heading of its narrative; an appendix's title centred atop its page."""
    paragraph = _paragraph(word, style="Heading 2" if block.level > 1 else "Heading 1")
    _lines(paragraph, block.lines)
    if block.appendix:
        paragraph.paragraph_format.page_break_before = True
        _centred(paragraph)


def _text(word, block: Paragraph, depth: int) -> None:
    paragraph = _paragraph(word, style=TABLE if block.style == "note" else None)
    if block.style in ("plain", "note") or depth:
        paragraph.paragraph_format.first_line_indent = Pt(0)
    if block.style == "note":
        paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT
    if depth > 1:
        paragraph.paragraph_format.left_indent = Pt(2 * CHARACTER * (depth - 1))
    for run in block.runs:
        written = paragraph.add_run()
        for number, line in enumerate(run.text.split("\n")):
            if number:
                written.add_break()
            written.add_text(line)
        written.bold, written.italic = run.strong or None, run.emphasis or None
        if run.heading:  # （一）主动公开。 in the face of the second-level headings
            word_style.set_east_asian_font(written._r.get_or_add_rPr(), word_style.SUBHEADING_FONT)


def _lines(paragraph, lines: list[str]) -> None:
    """Lines of one paragraph, broken where the document breaks them."""
    for number, line in enumerate(lines):
        run = paragraph.add_run(line)
        if number < len(lines) - 1:
            run.add_break()


def _image(word, block: Image) -> None:
    if block.mime == "image/svg+xml":  # Word before 2016 and WPS show no SVG: Typst draws it as PNG
        from .typeset import png_of_svg

        _picture(word, png_of_svg(block.data))
    else:
        _picture(word, base64.b64decode(block.data))


def _picture(word, png: bytes) -> None:
    picture = word.add_paragraph()
    _centred(picture)
    picture.paragraph_format.line_spacing = 1.0  # an exact line pitch would crop the picture
    picture.add_run().add_picture(io.BytesIO(png), width=Mm(word_style.TEXT_WIDTH))


def _centred(paragraph) -> None:
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.first_line_indent = Pt(0)
