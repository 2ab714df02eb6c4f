"""The report as a Word file (.docx) that Word and WPS open in the official layout.

Analysts pass reports to their leaders for sign-off in Word or WPS, and publish them with a
【下载Word】 link. The file is made from the findings payload the notebook's review cell outputs
(`Report.review().payload`: the record, the earlier years' records, the error count), so it
shows what the HTML and PDF show: title, lead paragraph, the parts in the edition's order,
the official tables, the signature block and the history appendix.

It is built with python-docx, a well-kept library that writes real Word tables with merged
cells, paragraph styles, East Asian fonts and pictures; the few properties it has no API for
(w:eastAsia font names, w:tblHeader, w:cantSplit, the page number field) are set through its
oxml layer. Page and type follow GB/T 9704 (word_style.py); the official tables are laid out
from the merged-cell grid the HTML draws (word_tables.py).

Untrusted text stays text: the narrative's Markdown gives paragraphs, lists, headings and
emphasis only (raw HTML, links and images stay literal, as in the HTML report), and every
string is written as a run's text, which Word never reads as a field or a link.
"""
from __future__ import annotations

import functools
import io
import itertools
import re
from datetime import datetime, timezone

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt
from nbconvert.exporters import Exporter
from traitlets import default

from ..consolidation import Coverage
from ..record import Record
from ..report import findings_payload
from . import _markdown, inline_runs, text_width, word_style, word_tables
from .grid import Cell
from .word_style import CHARACTER, LINE, TABLE, TITLE

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# A 2号 title line holds 20 characters (156 mm / 22 pt); two are kept spare for Latin digits,
# which are wider than half a character in some faces (LibreOffice's stand-ins among them).
TITLE_CHARACTERS = 18


def docx_from_payload(payload: dict) -> bytes:
    """The report of a findings payload as the bytes of a .docx file."""
    payload = _xml_safe(payload)
    record = Record.from_dict(payload["record"])
    earlier = [Record.from_dict(data) for data in payload.get("earlier", [])]
    document = Document(io.BytesIO(_blank(draft=payload.get("open_errors", payload["errors"]) > 0)))
    _title(document, record)
    if record.contact:
        document.add_paragraph(record.contact)
    for part in record.spec.parts:
        title = record.spec.part_title(part, record.year)
        if title:
            _paragraph(document, title, "Heading 1")
        text = record.parts.get(part.id, "")
        if part.table:
            word_tables.official(document, record.spec.tables[part.table], record.tables.get(part.table, {}))
        elif text.strip():
            _narrative(document, text)
        else:
            document.add_paragraph("（本部分未填写）")
    _signature(document, record.signed_by or record.agency, record.date)
    if payload.get("coverage"):
        _coverage(document, record, Coverage.from_dict(payload["coverage"]))
    _history(document, record, earlier)
    properties = document.core_properties  # python-docx's template says "python-docx" here
    properties.title, properties.author, properties.last_modified_by = record.title, record.agency, ""
    properties.comments = properties.keywords = properties.subject = ""
    properties.created = properties.modified = datetime.now(timezone.utc)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@functools.cache
def _blank(draft: bool) -> bytes:
    """An empty report in the official page and type (word_style.prepare), made once per
    process for each kind: preparing it took a quarter of a report's Word file."""
    document = Document()
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
    return Document(io.BytesIO(_blank(draft=False))).styles[name].style_id


class ReportDocxExporter(Exporter):
    """`jupyter nbconvert --to nianbao_docx report.ipynb`: an executed report notebook as a
    Word file, made from the findings payload of its review cell."""

    export_from_notebook = "nianbao report (Word)"
    output_mimetype = DOCX_MIME

    @default("file_extension")
    def _file_extension_default(self):
        return ".docx"

    def from_notebook_node(self, nb, resources=None, **kw):
        nb, resources = super().from_notebook_node(nb, resources, **kw)
        return docx_from_payload(findings_payload(nb)), resources


# Characters XML 1.0 cannot hold: a notebook's JSON may carry them, and lxml refuses them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_safe(data):
    if isinstance(data, str):
        return _NOT_XML.sub("", data)
    if isinstance(data, dict):
        return {_xml_safe(key): _xml_safe(value) for key, value in data.items()}
    if isinstance(data, list):
        return [_xml_safe(value) for value in data]
    return data


# ---- Title and signature ----

def _title(document, record: Record) -> None:
    """The title in as few centred lines as it fits, the most even of them, broken only where
    the format's words meet: before the year, after the agency (never inside a word)."""
    pieces = record.spec.title_words(record.agency, record.year)
    for count in range(1, len(pieces) + 1):
        splits = [["".join(pieces[a:b]) for a, b in itertools.pairwise((0, *cuts, len(pieces)))]
                  for cuts in itertools.combinations(range(1, len(pieces)), count - 1)]
        fitting = [lines for lines in splits if max(map(text_width, lines)) <= TITLE_CHARACTERS]
        if fitting:
            break
    else:
        fitting = [pieces]  # an agency's name longer than a line: Word breaks it
    lines = min(fitting, key=lambda lines: max(map(text_width, lines)))
    paragraph = _paragraph(document, style=TITLE)
    for number, line in enumerate(lines):
        run = paragraph.add_run(line)
        if number < len(lines) - 1:
            run.add_break()


def _signature(document, agency: str, date: str) -> None:
    """GB/T 9704's unsealed signature: the agency two characters from the right, the date under
    it starting two characters further right (the agency moves left when the date is longer)."""
    agency_right = 2.0
    date_right = agency_right + text_width(agency) - 2 - text_width(date)
    if date_right < 2:
        agency_right, date_right = agency_right + 2 - date_right, 2.0
    for number, (text, right) in enumerate(((agency, agency_right), (date, date_right))):
        paragraph = document.add_paragraph(text)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        formatting = paragraph.paragraph_format
        formatting.first_line_indent, formatting.right_indent = Pt(0), Pt(right * CHARACTER)
        formatting.space_before = LINE if number == 0 else Pt(0)  # 正文下空一行
        formatting.keep_with_next = number == 0


# ---- Narrative ----

def _narrative(document, text: str) -> None:
    """Markdown as paragraphs: headings in 楷体 (the second level, under a part's title), list
    items numbered as the HTML numbers them, **strong** and *em*."""
    lists: list[int | None] = []  # the open lists, innermost last: its next number, None if bulleted
    marker, style = "", None
    for token in _markdown.parse(text):
        if token.type in ("bullet_list_open", "ordered_list_open"):
            lists.append(int(token.attrGet("start") or 1) if token.type == "ordered_list_open" else None)
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif token.type == "list_item_open":
            marker = "•" if lists[-1] is None else f"{lists[-1]}."
            if lists[-1] is not None:
                lists[-1] += 1
        elif token.type in ("heading_open", "heading_close"):
            style = "Heading 2" if token.type == "heading_open" else None
        elif token.type == "inline":
            paragraph = _paragraph(document, style=style)
            if len(lists) > 1:
                paragraph.paragraph_format.left_indent = Pt(2 * CHARACTER * (len(lists) - 1))
            if marker:
                paragraph.add_run(marker + " ")
                marker = ""
            _inline(paragraph, token.children)


def _inline(paragraph, children) -> None:
    for run in inline_runs(children):
        if run is None:
            paragraph.add_run().add_break()
        else:
            written = paragraph.add_run(run.text)
            written.bold, written.italic = run.strong or None, run.emphasis or None


# ---- History appendix ----

def _history(document, record: Record, earlier: list[Record]) -> None:
    """The charts and the year-on-year table of the HTML report's appendix, on a page of its own."""
    years = sorted([*earlier, record], key=lambda r: r.year)
    if len(years) < 2 or not record.spec.history:
        return
    from . import figures as figures_of  # pandas and matplotlib: only for reports with earlier years

    figures = figures_of.figures(years)
    notes = figures_of.mappings(years)
    heading = _paragraph(document, f"附：{record.agency}历年情况对比", "Heading 1")
    heading.add_run().add_break()  # the years on a line of their own, not half of them
    heading.add_run(f"（{years[0].year}—{years[-1].year}年）")
    heading.paragraph_format.page_break_before = True
    _centred(heading)
    for title, png in figures_of.png_charts(figures):
        _centred(_paragraph(document, title, "Heading 2"))
        picture = document.add_paragraph()
        _centred(picture)
        picture.paragraph_format.line_spacing = 1.0  # an exact line pitch would crop the picture
        picture.add_run().add_picture(io.BytesIO(png), width=Mm(word_style.TEXT_WIDTH))
        for chart, note in notes:
            if chart == title:
                _paragraph(document, f"口径：{note}", TABLE).alignment = WD_ALIGN_PARAGRAPH.LEFT
    word_tables.changes(document, figures_of.changes(figures))


def _coverage(document, record: Record, coverage: Coverage) -> None:
    """A government's appendix, as in the HTML report: every unit its tables add up."""
    heading = _paragraph(document, "附：本报告涵盖的单位", "Heading 1")
    heading.paragraph_format.page_break_before = True
    _centred(heading)
    own = "（含本机关）" if coverage.own else ""
    document.add_paragraph(f"{coverage.summary()}。本报告第二、三、四部分的表格为已汇总单位报告的逐格合计{own}。")
    rows = []
    for number, depth, unit in coverage.lines():
        status = unit.said
        if unit.reason and unit.status != "errors":
            status += f"：{unit.reason}"
        rows.append([Cell(str(number), kind="value"), Cell(unit.label, indent=depth),
                     Cell(status)])
    word_tables.listing(document, ["序号", "单位", "状态"], rows, [14, 62, word_style.TEXT_WIDTH - 76])
    for table, (count, names) in coverage.blank_tables().items():
        document.add_paragraph(f"{record.spec.tables[table].name} {count} 个单元格无法汇总，表中留空"
                               f"（空白表示未知，不按 0 计），因{'、'.join(names)}的报告在这些单元格空白。")


def _centred(paragraph) -> None:
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.first_line_indent = Pt(0)
