"""The official tables of a record: as blocks of merged cells to draw, and as pandas frames.

`grid` turns one table of a record into the document's TableBlocks: lines of cells with their
spans, each value cell naming the table, row and column it holds; `frame` gives the same
numbers as a DataFrame with the label paths as a MultiIndex, for analysts in the notebook.
"""
from __future__ import annotations

from itertools import groupby
from typing import TYPE_CHECKING

from ..editions import NO_VALUE, Block, Table, layout
from ..labels import split_path
from ..record import format_value
from . import Cell, TableBlock

if TYPE_CHECKING:
    import pandas as pd

KEPT_AT_ENDS = 3  # a table's first and last lines that go to a page together


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
    """The runs of body lines that go to a page together, as [first, count]: each run a merged
    label spans (a page break would leave the label beside only some of its lines), and the
    first and last KEPT_AT_ENDS lines unless such a run stands there, so that no table begins at
    a page's foot or ends on a page with a line or two. Lines between may break anywhere."""
    runs = _tied_runs(body)
    if not runs:
        return []
    count = len(body)
    first = 0 if runs[0][0] else min(KEPT_AT_ENDS, runs[0][2])
    last = 0 if runs[-1][0] else min(KEPT_AT_ENDS, runs[-1][2])
    if first + last >= count:
        return [[0, count]] if count > 1 else []
    kept = [[start, size] for tied, start, size in runs if tied]
    if first > 1:
        kept.insert(0, [0, first])
    if last > 1:
        kept.append([count - last, last])
    return kept


def _tied_runs(body: list[list[Cell]]) -> list[tuple[bool, int, int]]:
    """The body's lines in runs, each (tied, first, count): a tied run is the lines one merged
    label spans (and the labels merged inside them), the other runs hold the lines between."""
    keys, start, tied_until = [], 0, 0
    for i, line in enumerate(body):
        if i >= tied_until:  # no label from the lines above reaches this one
            start = i
        tied_until = max([tied_until] + [i + cell.rowspan for cell in line])
        keys.append(start if tied_until > i + 1 or start < i else None)
    runs, first = [], 0
    for key, group in groupby(keys):
        size = len(list(group))
        runs.append((key is not None, first, size))
        first += size
    return runs


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
