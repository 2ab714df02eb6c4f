"""A report's key figures, each with the table cells it adds up (figures.yaml).

The 图解 and 解读 (digest.py), the data package's table of reports (package.py) and the drafted
narrative (draft.py) state the same figures from here, so they agree with each other and with
the tables. A figure is None when one of its cells is blank: unknown, never 0.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources

from .. import yamltext
from ..document import history
from ..record import Record, Value, format_value
from ..reviews import SETTLED


# A total and the figure of its 纠正, which what states the total says with it
CORRECTED = {"review": "review_corrected", "litigation": "litigation_corrected"}


@dataclass(frozen=True)
class Figure:
    id: str
    label: str
    group: str
    unit: str
    table: str
    cells: tuple[tuple[str, str], ...]  # (row, column) of `table` it adds up
    value: Value

    @property
    def said(self) -> str:
        """As a sentence states it: `22件`, `0.5万元`."""
        return f"{format_value(self.value)}{self.unit}"


@functools.cache
def definitions() -> tuple[dict, ...]:
    """The figures as figures.yaml defines them, in its order."""
    text = resources.files(__package__).joinpath("figures.yaml").read_text(encoding="utf-8")
    return tuple(yamltext.load(text)["figures"])


def figures(record: Record) -> dict[str, Figure]:
    """Every figure the record's edition has cells for, by id, in figures.yaml's order."""
    found = {}
    for spec in definitions():
        where = _where(record, spec)
        if where:
            cells = tuple(history.cells(record, where))
            label = spec["label"] if "history" in spec else where.get("label", spec["label"])
            found[spec["id"]] = Figure(spec["id"], label, spec["group"], spec["unit"], where["table"], cells,
                                       history.value(record, where))
    return found


def _where(record: Record, spec: dict) -> dict | None:
    """The definition ({table, rows, columns}, and the figure's label there when it has its own)
    that places the figure in the record's edition."""
    if "history" in spec:
        return history.definition(record, spec["history"])
    tables = record.spec.tables
    for where in spec["cells"]:
        table = tables.get(where["table"])
        rows = table.select_rows(where["rows"]) if table else []
        if rows and all(table.select_columns(row, where["columns"]) for row in rows):
            return where
    return None


def failing_tables(findings) -> set[str]:
    """The tables an error finding is about that no reviewer explained or marked a false alarm:
    their figures are left out of what states them, not softened."""
    return {f.table for f in findings if f.table and f.severity == "error" and f.decision not in SETTLED}


def source(record: Record, figure: Figure) -> str:
    """The cells a figure adds up, for a person: `表三“一、本年新收政府信息公开申请数量”行“总计”列`."""
    table = record.spec.tables[figure.table]
    places = [f"“{row}”行“{column}”列" if row else f"“{column}”列" for row, column in figure.cells]
    return table.name + "、".join(places)
