"""The tables of a record as one long CSV, `table,row,column,value`: for pandas and Excel.

`row` and `column` are official labels as the spec writes them: a row or column by its own
label (`（一）予以公开`, `商业企业`), or by its whole label path where its own label is not
unique in the table (table 四's `行政复议/结果维持`). Table 四's one line has no row label. A
blank cell has an empty value, which is not 0.
"""
from __future__ import annotations

import csv
import io
import re

from .labels import split_path
from .record import Record, format_value

HEADER = ("table", "row", "column", "value")
# What a spreadsheet reads as a formula when a cell begins with it (=, +, -, @, and a tab or a
# return before them); full-width forms too, which some spreadsheets fold.
_FORMULA = re.compile(r"[=+\-@\t\r＝＋－＠]")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def safe_cell(value):
    """A value as a CSV cell that Excel or WPS shows and never runs: text that would start a
    formula (a file named `=1+2+cmd|' A1'!A1.txt`) gets a leading `'`; numbers stay numbers."""
    if not isinstance(value, str) or _NUMBER.fullmatch(value) or not _FORMULA.match(value):
        return value
    return "'" + value


def rows(record: Record):
    """(table, row, column, value) for every cell of the record, in the report's order."""
    for table_id, table in record.spec.tables.items():
        row_names = _names(table.rows)
        for block in table.blocks:
            column_names = _names([column.label for column in block.columns])
            for row in block.keys:
                for column in block.columns:
                    value = record.tables[table_id][row][column.label]
                    yield table_id, row_names[row], column_names[column.label], format_value(value)


def _names(paths: list[str]) -> dict[str, str]:
    """Each path's own label where no other path ends in the same one, else the whole path.
    A `／` inside a label (2019's `本年增／减`) is written `/`, as the spec writes it."""
    own = [split_path(path)[-1] if path else "" for path in paths]
    return {path: (label if own.count(label) == 1 else path).replace("／", "/") for path, label in zip(paths, own)}


def dumps(record: Record) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows([safe_cell(cell) for cell in row] for row in rows(record))
    return out.getvalue()


__all__ = ["HEADER", "dumps", "rows", "safe_cell"]
