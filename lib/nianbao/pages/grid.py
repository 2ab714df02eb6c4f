"""The official tables of a record: as a grid of merged cells to draw, and as pandas frames.

`grid` turns one table of a record into plain data (lines of cells with their spans and
marks) that the Jinja template report/table.html.j2 draws; `frame` gives the same numbers
as a DataFrame with the label paths as a MultiIndex, for analysts working in the notebook.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from itertools import groupby
from typing import TYPE_CHECKING

from ..editions import NO_VALUE, Block, Table, layout
from ..labels import split_path
from ..record import format_value

if TYPE_CHECKING:
    import pandas as pd


@dataclass
class Cell:
    text: str
    rowspan: int = 1
    colspan: int = 1
    kind: str = "label"   # label | head | unit | value | blank | none (a heading line's —— cell)
    marks: list = field(default_factory=list)  # findings about this cell: (number, severity, message)
    indent: int = 0       # a row label in a flat stub: how far it stands in

    @property
    def severity(self) -> str:
        return "error" if any(m[1] == "error" for m in self.marks) else ("warning" if self.marks else "")


@dataclass
class BlockGrid:
    title: str
    head: list[list[Cell]]
    body: list[list[Cell]]
    stub_columns: int
    value_columns: int
    unit_column: bool = False  # a column of row units between the stub and the values
    flat: bool = False         # one stub column of indented labels

    @property
    def row_groups(self) -> list[tuple[bool, list[list[Cell]]]]:
        """The body's lines in runs, each (tied, lines): a tied run is the lines one merged label
        spans (and the labels merged inside them), the other runs hold the lines between. The
        HTML gives each run a <tbody>, so that print can keep a tied run on one page: a merged
        label laid out across a page break runs on below its rows, and is missing beside them
        on the next page."""
        keys, start, tied_until = [], 0, 0
        for i, line in enumerate(self.body):
            if i >= tied_until:  # no label from the lines above reaches this one
                start = i
            tied_until = max([tied_until] + [i + cell.rowspan for cell in line])
            keys.append(start if tied_until > i + 1 or start < i else None)
        return [(key is not None, [line for _, line in run])
                for key, run in groupby(zip(keys, self.body), key=lambda pair: pair[0])]


def grid(table: Table, values: dict, marks: dict | None = None) -> list[BlockGrid]:
    """The table's blocks as lines of merged cells; `marks` maps (row, column) to findings."""
    marks = marks or {}
    return [_block_grid(block, values, marks) for block in table.blocks]


def _block_grid(block: Block, values: dict, marks: dict) -> BlockGrid:
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
                             marks=marks.get((key, column), [])))
    if block.note and not stub_width:
        head.insert(0, [Cell(block.note, colspan=len(columns), kind="head")])
    return BlockGrid(block.title, head, body, stub_width, len(columns), bool(block.unit), block.flat)


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
