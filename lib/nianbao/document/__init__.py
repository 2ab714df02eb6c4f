"""The report as plain data: one document, drawn as HTML, PDF and Word.

A `Document` is the report a reader gets: its title, author and draft mark, then its sections in
the order of the template notebook's cells. Each section is a list of blocks: the title and lead,
headings, paragraphs of text runs, lists, tables of merged cells, the signature, charts and
images. Nothing of the review is in it: findings, decisions and internal statuses live in the
findings payload (report.Checked) and are drawn only on the review page.

The template's fragments (report.Report) each carry their section as data beside the HTML they
show in JupyterLab, under `MIME` in the cell's output bundle; `notebook.read` turns an executed
notebook back into a Document, what an analyst added included, and pages/ draws it: `html`,
`typeset` (PDF) and `word`. Every sentence and every layout decision (the title's lines on
paper, the signature's place, which table lines stay on one page) is made once, in `build`.

The JSON form carries a version (VERSION): a notebook made by another version of nianbao is
refused with the reason instead of drawn wrong.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, ClassVar

from ..errors import NianbaoError

VERSION = 1
MIME = "application/vnd.nianbao.section+json"  # a section of the document, in a cell's output


class DocumentError(NianbaoError, ValueError):
    """A section's data that cannot be read: what is wrong, for a person."""


@dataclass(frozen=True)
class Run:
    """Text of one look in a paragraph; a line break inside it is a line break. A `heading` run
    is a paragraph's run-in heading (（一）主动公开。), set as the second-level headings are."""
    type: ClassVar[str] = "run"
    text: str
    strong: bool = False
    emphasis: bool = False
    heading: bool = False


@dataclass
class Title:
    """The report's title, in the words a line may break between (after the agency, before a
    year: GB/T 9704 wants each line a whole phrase), and its lines on paper."""
    type: ClassVar[str] = "title"
    words: list[str]
    lines: list[str]

    @property
    def text(self) -> str:
        return "".join(self.words)


@dataclass
class Lead:
    """The line under the title saying who made the report and whom to ask."""
    type: ClassVar[str] = "lead"
    text: str


@dataclass
class Heading:
    """A part's title (level 1), a heading inside a narrative (level 2), or an appendix's title,
    which begins a page and stands centred; each of its lines is kept whole."""
    type: ClassVar[str] = "heading"
    lines: list[str]
    level: int = 1
    appendix: bool = False

    @property
    def text(self) -> str:
        return "".join(self.lines)


@dataclass
class Paragraph:
    """A paragraph of runs. `style`: body text, `missing` (a part left empty), `note` (small
    print under a chart or table), `plain` (no first-line indent: a sentence before a table)."""
    type: ClassVar[str] = "paragraph"
    runs: list[Run]
    style: str = "body"

    @property
    def text(self) -> str:
        return "".join(run.text for run in self.runs)


@dataclass
class ListBlock:
    """Items of blocks, numbered from `start` or bulleted."""
    type: ClassVar[str] = "list"
    items: list[list]
    ordered: bool = False
    start: int = 1


@dataclass
class Cell:
    """A table cell: its text, the lines and columns it spans, and what it is (label | head |
    unit | value | blank | none, a heading line's —— cell | title). A value cell of an official
    table names the table, row and column it holds (`ref`), so that a finding can mark it."""
    type: ClassVar[str] = "cell"
    text: str
    rowspan: int = 1
    colspan: int = 1
    kind: str = "label"
    indent: int = 0        # a row label in a flat stub: how far it stands in
    ref: list[str] | None = None  # [table, row, column] of an official table's value cell
    strong: bool = False


@dataclass
class TableBlock:
    """One block of a table: an optional title line, the head's lines and the body's, as merged
    cells. `keep` lists the runs of body lines that stay on one page, as (first, count): the
    lines a merged label spans (cut by a page break, it would be missing beside them), and a
    table's first and last three lines, so that no table begins at a page's foot or ends on a
    page with a line or two."""
    type: ClassVar[str] = "table_block"
    head: list[list[Cell]]
    body: list[list[Cell]]
    title: str = ""
    stub_columns: int = 1
    value_columns: int = 1
    unit_column: bool = False
    flat: bool = False
    keep: list[list[int]] = field(default_factory=list)

    @property
    def width(self) -> int:
        return self.stub_columns + self.unit_column + self.value_columns


@dataclass
class Table:
    """A table of one or more blocks, one under another. `style` says which it is, for its look:
    official (an official table, `table` its id), history, coverage, or frame (a table an analyst
    showed, a pandas DataFrame)."""
    type: ClassVar[str] = "table"
    blocks: list[TableBlock]
    style: str = "official"
    table: str = ""


@dataclass
class SignatureLine:
    """A line of the signature and how far it stands from the right margin, in characters."""
    type: ClassVar[str] = "signature_line"
    text: str
    right: float


@dataclass
class Signature:
    type: ClassVar[str] = "signature"
    lines: list[SignatureLine]


@dataclass
class Series:
    type: ClassVar[str] = "series"
    label: str
    values: list[float]
    colour: str


@dataclass
class Chart:
    """Bars by year drawn from numbers, so that each drawing keeps its labels as text: one bar
    per series side by side, or `stacked` into one bar a year."""
    type: ClassVar[str] = "chart"
    title: str
    alt: str
    years: list[str]
    series: list[Series]
    stacked: bool = False
    notes: list[str] = field(default_factory=list)


@dataclass
class Image:
    """A picture an analyst's cell showed: PNG or JPEG as base64, SVG as its text."""
    type: ClassVar[str] = "image"
    mime: str
    data: str
    alt: str = ""


@dataclass
class Section:
    """What one cell of the notebook adds to the report: `name` says which part of the report it
    is (heading, part:一, signature, coverage, history) or `cell` for an analyst's own."""
    type: ClassVar[str] = "section"
    name: str
    blocks: list


@dataclass
class Document:
    type: ClassVar[str] = "document"
    title: str
    author: str
    sections: list[Section]
    draft: str = ""  # the mark a report with open errors carries on every page: 草稿（核查未通过）

    @property
    def blocks(self) -> list:
        return [block for section in self.sections for block in section.blocks]


TYPES = {kind.type: kind for kind in (Run, Title, Lead, Heading, Paragraph, ListBlock, Cell, TableBlock, Table,
                                      SignatureLine, Signature, Series, Chart, Image, Section, Document)}


def to_data(value) -> Any:
    """A model object as JSON data: each object a mapping with its `type`."""
    if dataclasses.is_dataclass(value):
        return {"type": value.type, **{f.name: to_data(getattr(value, f.name)) for f in dataclasses.fields(value)}}
    if isinstance(value, (list, tuple)):
        return [to_data(item) for item in value]
    return value


def from_data(data) -> Any:
    """The model objects of JSON data made by `to_data`."""
    if isinstance(data, list):
        return [from_data(item) for item in data]
    if not isinstance(data, dict):
        return data
    kind = TYPES.get(data.get("type"))
    if kind is None:
        raise DocumentError(f"报告数据中有无法识别的类型“{str(data.get('type'))[:40]}”")
    try:
        return kind(**{key: from_data(value) for key, value in data.items() if key != "type"})
    except TypeError as error:
        raise DocumentError(f"报告数据的“{kind.type}”有误：{error}") from None


def section_data(section: Section) -> dict:
    """A section as a cell's output carries it, with the version of its form."""
    return {"version": VERSION, **to_data(section)}


def read_section(data) -> Section:
    """A section from a cell's output; one of another version, or damaged, raises DocumentError."""
    if not isinstance(data, dict) or data.get("version") != VERSION:
        found = data.get("version") if isinstance(data, dict) else None
        raise DocumentError(f"笔记本中报告内容的数据格式为第 {found} 版，本版 nianbao 读取第 {VERSION} 版："
                            "请用本版 nianbao 重新执行笔记本")
    section = from_data({key: value for key, value in data.items() if key != "version"})
    if not isinstance(section, Section):
        raise DocumentError("笔记本中的报告内容不是一个部分（section）")
    return section
