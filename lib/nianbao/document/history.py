"""An agency over the years: the figures its editions define, and their changes.

Each edition's `history:` list says which cells make up each figure (applications received,
outcomes, reconsideration, litigation…). Records of different editions thus give comparable
figures, and where two editions make a figure from different rows, `mappings` says how, for
the note under the chart. The document's history appendix (build.py) makes its charts and its
year-on-year table of them; pages/ draws the charts.
"""
from __future__ import annotations

import pandas as pd

from ..labels import split_path
from ..record import Record, format_value
from . import Cell

# A chart's series, in order; the drawings take them from the chart
COLOURS = ["#1f5fa8", "#6aa0d8", "#d9822b", "#7a7a7a", "#3f8f4f", "#b54747"]


def figures(records: list[Record]) -> pd.DataFrame:
    """The figures per year: rows (chart, figure) in the latest edition's order, columns years.

    A figure is None for a year whose edition lacks it or whose cells are partly blank.
    """
    records = sorted(records, key=lambda r: r.year)
    order = records[-1].spec.history
    data = {record.year: [_value(record, figure["id"]) for figure in order] for record in records}
    index = pd.MultiIndex.from_tuples([(f["chart"], f["label"]) for f in order], names=["chart", "figure"])
    return pd.DataFrame(data, index=index, dtype="object")


def definition(record: Record, figure_id: str) -> dict | None:
    return next((f for f in record.spec.history if f["id"] == figure_id), None)


def cells(record: Record, figure: dict) -> list[tuple[str, str]]:
    """The (row, column) cells a figure's definition ({table, rows, columns}) adds up in the
    record's edition: its rows and columns are label prefixes."""
    table = record.spec.tables[figure["table"]]
    return [(row, column) for row in table.select_rows(figure["rows"])
            for column in table.select_columns(row, figure["columns"])]


def value(record: Record, figure: dict):
    """A figure's value: the sum of its cells, None when it has none or one is blank."""
    values = [record.value(figure["table"], row, column) for row, column in cells(record, figure)]
    return sum(values) if values and None not in values else None


def _value(record: Record, figure_id: str):
    figure = definition(record, figure_id)
    return value(record, figure) if figure else None


def mappings(records: list[Record]) -> list[tuple[str, str]]:
    """(chart, note): how a figure is made up in each edition, where the editions of these years differ."""
    notes = []
    by_edition = {record.edition: record for record in records}
    for figure in sorted(records, key=lambda r: r.year)[-1].spec.history:
        made_of = {}
        for record in by_edition.values():
            defined = definition(record, figure["id"])
            made_of.setdefault(_parts(record, defined) if defined else (), []).append(record.spec.name)
        if len(made_of) > 1:
            ways = [f"{'、'.join(names)}为" + ("＋".join(f"“{label}”" for label in parts) or "无此项")
                    for parts, names in made_of.items()]
            notes.append((figure["chart"], f"“{figure['label']}”：" + "；".join(ways)))
    return notes


def _parts(record: Record, figure: dict) -> tuple[str, ...]:
    """What a figure adds up, in words: its rows' labels, or its columns' where the row has
    none (table 四)."""
    return tuple(dict.fromkeys(split_path(row)[-1] if row else column for row, column in cells(record, figure)))


def changes(frame: pd.DataFrame) -> pd.DataFrame:
    """The figures of the years and, for the latest year, the change from the year before."""
    years = list(frame.columns)
    shown = frame.map(format_value)
    if len(years) < 2:
        return shown
    last, before = frame[years[-1]], frame[years[-2]]
    shown["较上年增减"] = [_change(now, then) for now, then in zip(last, before)]
    shown["增减幅度"] = [_rate(now, then) for now, then in zip(last, before)]
    return shown


def changes_lines(frame: pd.DataFrame) -> tuple[list[list[Cell]], list[list[Cell]]]:
    """The year-on-year table (`changes`) as lines of merged cells, head and body: 项目 over two
    label columns, the chart's name merged down its figures, a column per year and the changes."""
    head = [[Cell("项目", colspan=2, kind="head"),
             *(Cell(f"{c}年" if isinstance(c, int) else str(c), kind="head") for c in frame.columns)]]
    body = []
    for chart in dict.fromkeys(frame.index.get_level_values("chart")):
        figures_of_chart = frame.loc[chart]
        for number, (figure, row) in enumerate(figures_of_chart.iterrows()):
            line = [Cell(figure), *(Cell(value, kind="value") for value in row)]
            body.append([Cell(chart, rowspan=len(figures_of_chart)), *line] if number == 0 else line)
    return head, body


def _rate(now, then) -> str:
    if None in (now, then) or not then:
        return ""
    return "0%" if now == then else f"{(now - then) / then:+.0%}"


def _change(now, then) -> str:
    if None in (now, then):
        return ""
    return ("+" if now > then else "") + format_value(now - then)
