"""The official tables of a record: as blocks of merged cells to draw, and as pandas frames.

`grid` turns one table of a record into the document's TableBlocks: lines of cells with their
spans, each value cell naming the table, row and column it holds; `frame` gives the same
numbers as a DataFrame with the label paths as a MultiIndex, for analysts in the notebook.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..editions import NO_VALUE, Block, Table, layout
from ..labels import split_path
from ..record import format_value
from . import Cell, TableBlock

if TYPE_CHECKING:
    import pandas as pd

KEPT_AT_ENDS = 3  # a table's first and last lines that go to a page together
LABEL_CHARACTERS = 3  # a merged label's characters a line in its narrow column, as in the form (（三）不/予公开)


def grid(table: Table, values: dict) -> list[TableBlock]:
    """The table's blocks as lines of merged cells, blank cells left empty (unknown is not 0)."""
    return [_block(table.id, block, values) for block in table.blocks]


def _block(table_id: str, block: Block, values: dict) -> TableBlock:
    columns = [column.label for column in block.columns]
    stub_width = layout.stub_width(block)
    column_depth = layout.depth(columns)
    extra = 1 if block.column_header else 0
    head_lines = column_depth + extra

    head: list[list[Cell]] = [[] for _ in range(head_lines)]
    if stub_width:
        head[0].append(Cell(block.note or block.stub, rowspan=head_lines, colspan=stub_width, kind="head"))
    if block.unit:
        head[0].append(Cell(block.unit, rowspan=head_lines, kind="head"))
    if block.column_header:
        head[0].append(Cell(block.column_header, colspan=len(columns), kind="head"))
    for span in layout.spans(columns):
        head[extra + span.level].append(Cell(span.label, rowspan=span.depth, colspan=span.width, kind="head"))

    body: list[list[Cell]] = [[] for _ in block.rows]
    for span in layout.stub_spans(block):
        body[span.start].append(Cell(span.label, rowspan=span.width, colspan=span.depth, indent=span.indent))
    for line, row in zip(body, block.rows):
        if block.unit:
            line.append(Cell(row.unit, kind="unit"))
        if row.heading:
            line.extend(Cell(NO_VALUE, kind="none") for _ in columns)
            continue
        key = block.key(row.label)
        for column in columns:
            value = values.get(key, {}).get(column)
            line.append(Cell(format_value(value), kind="blank" if value is None else "value",
                             ref=[table_id, key, column]))
    if block.note and not stub_width:
        head.insert(0, [Cell(block.note, colspan=len(columns), kind="head")])
    return TableBlock(head, body, block.title, stub_width, len(columns), bool(block.unit), block.flat,
                      keep=kept_lines(body))


def kept_lines(body: list[list[Cell]]) -> list[list[int]]:
    """The runs of body lines that go to a page together, as [first, count]; a table runs on
    from page to page between any other two lines, its head repeated, as the offices' own
    tables do. What stays together:
    - a table's first and last KEPT_AT_ENDS lines, so that no table begins at a page's foot or
      ends on a page with a line or two;
    - a group row with its first sub-row, which stands further in (the legacy table's
      四、行政复议数量 and （一）维持具体行政行为数);
    - a merged label's first lines, as many as its text needs at LABEL_CHARACTERS a line (and
      at least two): the label stands beside them, and its column runs on past a page break
      with the lines below, as a merged cell does in Word and WPS.
    Runs that overlap become one."""
    count = len(body)
    ends = min(KEPT_AT_ENDS, count)
    wanted = [(0, ends), (count - ends, ends)]
    for number, line in enumerate(body):
        for cell in line:
            if cell.kind == "label" and cell.rowspan > 1:
                wanted.append((number, min(cell.rowspan, max(2, -(-len(cell.text) // LABEL_CHARACTERS)))))
        if number + 1 < count and _indent(body[number + 1]) > _indent(line):
            wanted.append((number, 2))
    kept: list[list[int]] = []
    for first, size in sorted(wanted):
        if kept and first < sum(kept[-1]):
            kept[-1][1] = max(sum(kept[-1]), first + size) - kept[-1][0]
        elif size > 1:
            kept.append([first, size])
    return kept


def _indent(line: list[Cell]) -> int:
    """How far a line's own label stands in: a group row's sub-rows stand further in."""
    return next((cell.indent for cell in line if cell.kind == "label" and cell.rowspan == 1), 0)


def frame(table: Table, values: dict) -> pd.DataFrame:
    """The table as a DataFrame with label paths as MultiIndex; blank cells are None.

    Table 二's blocks share one frame: a block's rows are blank in the columns of the others.
    """
    import pandas as pd  # here, not at the top: report kernels import this module and rarely need it

    columns = list(dict.fromkeys(c for block in table.blocks for c in (col.label for col in block.columns)))
    rows = table.rows
    data = [[values.get(row, {}).get(column) for column in columns] for row in rows]
    return pd.DataFrame(data, index=_multi(rows), columns=_multi(columns), dtype="object")


def _multi(paths: list[str]):
    import pandas as pd

    split = [split_path(path) or [""] for path in paths]
    levels = max(len(labels) for labels in split)
    if levels == 1:
        return pd.Index([labels[0] for labels in split])
    return pd.MultiIndex.from_tuples([tuple(labels + [""] * (levels - len(labels))) for labels in split])
