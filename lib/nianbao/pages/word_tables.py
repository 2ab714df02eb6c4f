"""Tables of the Word report: the document's tables of merged-cell blocks as real Word tables.

Each table is one Word table, its blocks one under another as in the national form's Word
version (国办公开办函〔2021〕30号's 表二 is one table of four columns whose one-column blocks span
the three value columns). Merges are real Word merges (gridSpan across, vMerge down), made by
python-docx's `Cell.merge`. A row never splits across pages, a single block's head repeats on
every page, and the runs of lines the document keeps together (TableBlock.keep) stay on one page.
"""
from __future__ import annotations

from copy import deepcopy
from dataclasses import replace

from docx import Document
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from ..document import Cell, Table, TableBlock
from . import word_style
from .word_style import TABLE, TABLE_SIZE, TEXT_WIDTH

GROUP = 13         # mm: a group label's column (（四）无法提供), three characters a line: no taller than its rows
UNIT = 16          # mm: the legacy table's 单位 column
LEAF = 50          # mm: at least, for the row labels beside the numbers: 13 characters a line, which
                   # keeps 表三, heading and all, on one page (its numbers 11.4 mm wide: five digits)
FIGURE = 24        # mm: the history table's figure names (本年新收), short beside seven columns of numbers
VALUE = 28         # mm: at most, for a column of numbers
COVERAGE = [14, 62, TEXT_WIDTH - 76]  # mm: a government's units: number, unit, what the report says of it
SHADE = "C6D9F1"   # the form's fill of 表二's block heads
CELL_MARGIN = 43   # twips (0.75 mm) left and right: Word's 1.9 mm would leave 表四's 五号 one character a line


def table(document, shown: Table) -> None:
    """A table of the document, laid out once for each layout (an official table's never changes
    within an edition) and copied with its numbers for every report: laying out through
    python-docx (merges, row properties) took 0.4 s of a report's 0.5 s of Word."""
    blocks = shown.blocks
    width = max(block.width for block in blocks)
    placed, extents = _place(blocks, width)
    widths = tuple(COVERAGE if shown.style == "coverage" else
                   _widths(max(blocks, key=lambda b: b.width), FIGURE if shown.style == "history" else LEAF))
    layout = (widths, tuple((row, column, cell.rowspan, cell.colspan, cell.kind, cell.indent, cell.strong,
                             "" if cell.kind in NUMBERS else cell.text) for row, column, cell in placed),
              tuple(tuple(map(tuple, block.keep)) for block in blocks))
    if layout not in _LAID_OUT:
        if len(_LAID_OUT) >= LAYOUTS_KEPT:
            _LAID_OUT.clear()
        _LAID_OUT[layout] = _lay_out(blocks, placed, extents, width, widths)
    laid_out, places = _LAID_OUT[layout]
    copy = deepcopy(laid_out)
    document.element.body._insert_tbl(copy)
    rows = copy.tr_lst
    for (row, column), (_, _, cell) in zip(places, placed):
        if cell.kind in NUMBERS and cell.text:  # a number: no tab, no line break, nothing to translate
            rows[row].tc_lst[column].p_lst[0].add_r().add_t(cell.text)


# The number cells of a table: left empty in its layout, written in each report's copy.
NUMBERS = {"value", "blank"}
LAYOUTS_KEPT = 32  # official tables of a few editions, history tables of a few spans of years
_LAID_OUT: dict[tuple, tuple] = {}


def _lay_out(blocks: list[TableBlock], placed, extents, width: int, widths: tuple):
    """The table's w:tbl without its numbers, in a document of the report's styles, and where
    each placed cell ended up: its row and its w:tc's position in that row after the merges."""
    document = Document()
    word_style.prepare(document, draft="")
    repeated = extents[0][1] if len(blocks) == 1 else 0  # another block's rows under the first's head: mislabelled
    word = document.add_table(rows=extents[-1][2], cols=width, style="Table Grid")
    word.alignment = WD_TABLE_ALIGNMENT.CENTER
    word.autofit = False  # fixed layout: the widths below, whatever the text
    _cell_margins(word)
    column_widths = [Mm(mm) for mm in widths]
    for column, column_width in zip(word.columns, column_widths):
        column.width = column_width
    # Every place of the grid, taken once before any merge: python-docx finds a cell by
    # walking the whole table, which made a table of 300 cells take a second.
    cells = [row.cells for row in word.rows]
    style = document.styles[TABLE].style_id
    for number, (tr, line) in enumerate(zip(word._tbl.tr_lst, cells)):
        # a row never splits across pages; the header rows repeat on every page a table spans
        _flag(tr, "w:cantSplit")
        if number < repeated:
            _flag(tr, "w:tblHeader")
        for cell, cell_width in zip(line, column_widths):
            cell.width = cell_width
            # every place's paragraph in the table's style, the merged-away ones too (else their
            # empty paragraph gives the row the body's 28.9 pt line); set by id, as python-docx's
            # `paragraph.style = …` looks it up among all styles each time
            cell.paragraphs[0]._p.style = style
    # Rows kept with the next, on one page: a block's head with its first line, and each run of
    # lines the block keeps together (document/grid.py: a merged label's, a table's ends).
    kept = set()
    for block, (first, body, end) in zip(blocks, extents):
        kept.update(range(first, body))
        for start, count in block.keep:
            kept.update(range(body + start, body + start + count - 1))
    for row, column, cell in placed:
        _write(cells[row][column], replace(cell, text="") if cell.kind in NUMBERS else cell)
    for row in kept:
        for place in cells[row]:
            place.paragraphs[0].paragraph_format.keep_with_next = True
    for row, column, cell in placed:  # content first: a merge keeps the first cell's
        if cell.rowspan > 1 or cell.colspan > 1:
            cells[row][column].merge(cells[row + cell.rowspan - 1][column + cell.colspan - 1])
    rows = word._tbl.tr_lst
    places = [(row, rows[row].tc_lst.index(cells[row][column]._tc)) for row, column, _ in placed]
    return word._tbl, places


def _place(blocks: list[TableBlock], width: int) -> tuple[list[tuple[int, int, Cell]], list[tuple[int, int, int]]]:
    """Every cell with its row and column in the Word table, and each block's extent: the row
    it begins at, the row its body begins at, the row after its end.

    A cell goes to the first column its line leaves free (cells merged down from the lines
    above take theirs). A block narrower than the table stretches its last column to the
    table's edge, as the form's 本年处理决定数量 spans the three columns of 表二's first block.
    """
    placed, extents, top = [], [], 0
    for block in blocks:
        title = [[Cell(block.title, colspan=width, kind="title")]] if block.title else []
        lines = [*title, *block.head, *block.body]
        extents.append((top, top + len(title) + len(block.head), top + len(lines)))
        taken: set[tuple[int, int]] = set()
        for row, line in enumerate(lines, top):
            column = 0
            for cell in line:
                while (row, column) in taken:
                    column += 1
                if column + cell.colspan == block.width < width:
                    cell = replace(cell, colspan=width - column)
                taken.update((row + r, column + c) for r in range(cell.rowspan) for c in range(cell.colspan))
                placed.append((row, column, cell))
                column += cell.colspan
        top += len(lines)
    return placed, extents


def _widths(block: TableBlock, leaf: float) -> list[float]:
    """Column widths in mm: narrow group label columns, numbers an equal share of what the
    labels leave (at most VALUE), the leaf labels the rest of the 版心."""
    groups = [GROUP] * max(block.stub_columns - 1, 0)
    unit = [UNIT] * block.unit_column
    value = min(VALUE, (TEXT_WIDTH - sum(groups) - sum(unit) - (leaf if block.stub_columns else 0))
                / block.value_columns)
    rest = TEXT_WIDTH - sum(groups) - sum(unit) - value * block.value_columns
    return [*groups, *([rest] if block.stub_columns else []), *unit, *[value] * block.value_columns]


def _write(target, cell: Cell) -> None:
    target.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    if cell.kind == "title":  # 表二's block heads (第二十条第（一）项), shaded as in the form
        shade = OxmlElement("w:shd", {qn("w:val"): "clear", qn("w:color"): "auto", qn("w:fill"): SHADE})
        # where the schema's order of a cell's properties wants it: Word refuses them out of order
        target._tc.get_or_add_tcPr().insert_element_before(shade, "w:noWrap", "w:tcMar", "w:textDirection",
                                                          "w:tcFitText", "w:vAlign", "w:hideMark")
    paragraph = target.paragraphs[0]
    # heads and numbers are centred (the style's alignment); labels read from the left, but
    # for a group label merged down, which stands centred as in the form
    if cell.kind == "label" and cell.rowspan == 1:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT
        if cell.indent:
            paragraph.paragraph_format.left_indent = Pt(TABLE_SIZE * 1.5 * cell.indent)
    if cell.text:
        paragraph.add_run(cell.text).bold = cell.strong or None


def _flag(tr, tag: str) -> None:
    """A row property python-docx has no API for (w:cantSplit, w:tblHeader)."""
    tr.get_or_add_trPr().append(OxmlElement(tag))


def _cell_margins(table) -> None:
    """Narrow left and right cell margins: a table property python-docx has no API for."""
    margins = OxmlElement("w:tblCellMar")
    for side in ("w:left", "w:right"):
        margins.append(OxmlElement(side, {qn("w:w"): str(CELL_MARGIN), qn("w:type"): "dxa"}))
    look = table._tbl.tblPr.find(qn("w:tblLook"))  # the schema's order: tblCellMar before tblLook
    if look is None:
        table._tbl.tblPr.append(margins)
    else:
        look.addprevious(margins)
