"""The tables of a record as one long CSV, `table,row,column,value`: for pandas and Excel.

`row` and `column` are official labels as the spec writes them: a row or column by its own
label (`（一）予以公开`, `商业企业`), or by its whole label path where its own label is not
unique in the table (table 四's `行政复议/结果维持`). Table 四's one line has no row label. A
blank cell has an empty value, which is not 0.
"""
from __future__ import annotations

import csv
import io

from .labels import split_path
from .record import Record, format_value

HEADER = ("table", "row", "column", "value")


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
    writer.writerows(rows(record))
    return out.getvalue()


__all__ = ["HEADER", "dumps", "rows"]
