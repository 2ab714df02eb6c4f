"""Where every label and input cell of the workbook goes, shared by its writer and its reader.

A sheet is plain data: its labels (fixed text over a rectangle of cells, merged when larger
than one) and its inputs (the cells an agency fills in, each with the key it gives the record).
`write_workbook` draws them and `read` looks exactly where they were drawn (excel.py), so the
two can never disagree about a cell.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from openpyxl.utils import get_column_letter

from .. import editions
from ..editions import layout
from .raw import FIELDS, REQUIRED

GUIDE, INFO, TEXT = "说明", "基本信息", "正文"


@dataclass(frozen=True)
class Label:
    """Fixed text over a rectangle of cells (1-based, inclusive), merged when larger than one."""
    text: str
    top: int
    left: int
    bottom: int
    right: int
    style: str = "text"     # caption | title (a block's: 第二十条第（一）项) | header | text
    official: bool = True   # checked on reading; hints and column headings are not
    indent: int = 0         # a row label in a flat stub: how far it stands in

    @property
    def cell(self) -> str:
        return f"{get_column_letter(self.left)}{self.top}"

    @property
    def ref(self) -> str:
        return f"{self.cell}:{get_column_letter(self.right)}{self.bottom}"


@dataclass(frozen=True)
class Input:
    key: object   # a field name, a part id, or (table, row, column)
    kind: str     # a column kind (count, amount, signed), "year", "text" or "markdown"
    row: int
    column: int
    locked: bool = False  # filled in by the template and not to be changed (the edition)

    @property
    def cell(self) -> str:
        return f"{get_column_letter(self.column)}{self.row}"


@dataclass(frozen=True)
class Sheet:
    name: str
    labels: list[Label]
    inputs: list[Input]
    freeze: str
    widths: dict[int, int] = field(default_factory=dict)  # free-text columns, wider than labels


def _at(text: str, row: int, column: int, style: str = "text", official: bool = True) -> Label:
    return Label(text, row, column, row, column, style, official)


_HINTS = {
    "agency": "发布报告的机关全称，与报告标题一致",
    "agency_id": "机关代码；留空时取文件名",
    "year": "报告所述年度，四位数，如 2022",
    "edition": "模板已预填，已锁定",
    "date": "落款处的成文日期，如 2023年1月28日",
    "published": "在网站上发布的日期，如 2023年1月28日",
    "contact": "报告中告知读者如何咨询的说明",
    "signed_by": "落款机关与机关名称不同时填写",
}


def info_sheet() -> Sheet:
    """基本信息: one row per metadata field, the label in A, the value in B, a hint in C."""
    labels = [_at(text, 1, column, "header", official=False)
              for column, text in enumerate(("项目", "填写内容", "说明"), start=1)]
    inputs = []
    for row, (name, title) in enumerate(FIELDS.items(), start=2):
        hint = ("必填。" if name in REQUIRED else "选填。") + _HINTS.get(name, "")
        labels += [_at(f"{title}（{name}）", row, 1), _at(hint, row, 3, official=False)]
        inputs.append(Input(name, "year" if name == "year" else "text", row, 2, locked=name == "edition"))
    return Sheet(INFO, labels, inputs, freeze="A2", widths={2: 50})


def text_sheet(edition: editions.Edition) -> Sheet:
    """正文: one row per narrative part, its official title in A, its Markdown in B."""
    titles = part_names(edition)
    labels = [_at("部分", 1, 1, "header", official=False),
              _at("内容（空一行即另起一段；以“1. ”或“- ”开头的行是列表条目）", 1, 2, "header", official=False)]
    inputs = []
    for row, part_id in enumerate(edition.narrative_parts, start=2):
        labels.append(_at(titles[part_id], row, 1))
        inputs.append(Input(part_id, "markdown", row, 2))
    return Sheet(TEXT, labels, inputs, freeze="A2", widths={2: 100})


def part_names(edition: editions.Edition) -> dict[str, str]:
    """What the workbook calls each part: its title, or its id when it has none (正文, 前言)."""
    return {part.id: part.title or part.id for part in edition.parts}


def table_sheet(edition: editions.Edition, table: editions.Table) -> Sheet:
    """A table in its official layout: the part title, then each block stacked below.

    A block is: its title line, its note line, the column header (Block.column_header over
    all value columns, then the label paths as merged cells), the stub header (Block.stub)
    and the unit header (Block.unit) left of the column header, then one line per row with
    the row's label path as merged cells (or, flat, its indented last label) on the left, its
    unit, and the input cells on the right (—— for a heading line, which takes no values).
    """
    # Left of each block's values: its row labels (the stub), then its unit column if any.
    lefts = [layout.stub_width(block) + bool(block.unit) for block in table.blocks]
    width = max(left + len(block.columns) for left, block in zip(lefts, table.blocks))
    caption = next((part.title for part in edition.parts if part.table == table.id), table.name)
    labels = [Label(caption, 1, 1, 1, width, "caption")]
    inputs = []
    # Below the caption; a single block freezes below its header instead, but several blocks
    # each have their own header, and none of them would be right to keep in view.
    freeze = "A3"
    top = 3  # a blank line under the caption
    for block, left in zip(table.blocks, lefts):
        first, last = left + 1, left + len(block.columns)  # the value columns
        if block.title:
            labels.append(Label(block.title, top, 1, top, width, "title"))
            top += 1
        if block.note:
            labels.append(Label(block.note, top, 1, top, width))
            top += 1
        head = top
        if block.column_header:
            labels.append(Label(block.column_header, top, first, top, last, "header"))
            top += 1
        columns = [column.label for column in block.columns]
        for span in layout.spans(columns):
            row, column = top + span.level, first + span.start
            labels.append(Label(span.label, row, column, row + span.depth - 1,
                                column + span.width - 1, "header"))
        top += layout.depth(columns)
        stub = layout.stub_width(block)
        if stub:
            labels.append(Label(block.stub, head, 1, top - 1, stub, "header"))
        if block.unit:
            labels.append(Label(block.unit, head, left, top - 1, left, "header"))
        # Row labels lie sideways: a span's level is a stub column and its width counts rows.
        for span in layout.stub_spans(block):
            row, column = top + span.start, 1 + span.level
            labels.append(Label(span.label, row, column, row + span.width - 1, column + span.depth - 1,
                                indent=span.indent))
        for i, row in enumerate(block.rows):
            if block.unit:
                labels.append(_at(row.unit, top + i, left))
            for j, column in enumerate(block.columns):
                if row.heading:
                    labels.append(_at(editions.NO_VALUE, top + i, first + j))
                else:
                    key = block.key(row.label)
                    kind = table.column(key, column.label).kind
                    inputs.append(Input((table.id, key, column.label), kind, top + i, first + j))
        if len(table.blocks) == 1:
            freeze = f"{get_column_letter(first)}{top}"
        top += len(block.rows)
    return Sheet(table.name, labels, inputs, freeze)
