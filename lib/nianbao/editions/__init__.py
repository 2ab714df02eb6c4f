"""Editions of the national format, each one data file: parts, table layouts, aliases, rules.

An edition is looked up by its id (`load("2021")`) or by report year (`default_for(2022)`).
The files shipped in this folder are found first; other packages add editions through the
entry point group ``nianbao.editions``, whose objects are folders of edition YAML files.
"""
from __future__ import annotations

import functools
import string
from dataclasses import dataclass, field, replace

from .. import registry
from ..labels import fold, split_path
from . import schema

COLUMN_KINDS = ("count", "amount", "signed")
HEADING = "heading"  # the kind of a row that only heads the rows under it: it has no values
NO_VALUE = "——"      # what the official forms print in the value cells of such a row


@dataclass(frozen=True)
class Column:
    label: str
    kind: str = "count"  # count: integer ≥ 0; amount: decimal ≥ 0; signed: any integer


@dataclass(frozen=True)
class Row:
    """One line of a block. Written in YAML as its label, or as a mapping when it has more:
    the legacy 统计表 prints each line's 单位 and mixes counts, amounts and headings."""

    label: str
    unit: str = ""  # shown in the block's unit column (`件`, `万元`, `——`)
    kind: str = ""  # the kind of its cells when not their column's, or HEADING for none

    @property
    def heading(self) -> bool:
        return self.kind == HEADING


@dataclass(frozen=True)
class Block:
    """A rectangle of cells under one header: table 二 has four, tables 三 and 四 one each."""

    rows: tuple[Row, ...]
    columns: tuple[Column, ...]
    title: str = ""          # a header line above the block (`第二十条第（一）项`)
    stub: str = ""           # the header of the row-label column (`信息内容`)
    column_header: str = ""  # a header spanning all value columns (`申请人情况`)
    note: str = ""           # printed under the header (the 勾稽关系 of table 三)
    unit: str = ""           # the header of a column of row units between stub and values (`单位`)
    flat: bool = False       # one stub column, each row's last label indented by its depth,
                             # instead of merged group cells: for rows that are groups and values

    def key(self, row: str) -> str:
        """The row's key in the record: the block title is part of it when there is one."""
        return f"{self.title}/{row}" if self.title else row

    @property
    def labels(self) -> list[str]:
        return [row.label for row in self.rows]

    @functools.cached_property
    def keys(self) -> list[str]:
        """The keys of the rows that hold values (headings hold none). Made once: every cell
        of every record is looked up by them."""
        return [self.key(row.label) for row in self.rows if not row.heading]

    def row(self, key: str) -> Row:
        return self._rows_by_key[key]

    @functools.cached_property
    def _rows_by_key(self) -> dict[str, Row]:
        return {self.key(row.label): row for row in self.rows}


@dataclass(frozen=True)
class Table:
    id: str
    name: str
    blocks: tuple[Block, ...]

    @property
    def rows(self) -> list[str]:
        return [key for block in self.blocks for key in block.keys]

    def block_of(self, row: str) -> Block:
        return self._blocks_by_row[row]  # KeyError for a row the table does not have

    @functools.cached_property
    def _blocks_by_row(self) -> dict[str, Block]:
        return {key: block for block in self.blocks for key in block.keys}

    def columns(self, row: str) -> list[str]:
        return [column.label for column in self.block_of(row).columns]

    def column(self, row: str, label: str) -> Column:
        """A column as it applies to one row: a row with a kind of its own gives it to its cells."""
        block = self.block_of(row)
        column = next(c for c in block.columns if c.label == label)
        kind = block.row(row).kind
        return replace(column, kind=kind) if kind else column

    def cells(self):
        """Every (row, column) of the table, in reading order."""
        for block in self.blocks:
            for key in block.keys:
                for column in block.columns:
                    yield key, column.label

    def select_rows(self, prefixes) -> list[str]:
        """The rows at or under any of the given label paths, in table order."""
        return _select(self.rows, prefixes)

    def select_columns(self, row: str, prefixes) -> list[str]:
        return _select(self.columns(row), prefixes)


def _select(keys: list[str], prefixes) -> list[str]:
    """The keys at any of the paths, or under a path that is a group label only.

    A path that is a key of its own stands for itself alone: its value already adds up what
    stands under it (the legacy 统计表's （一）收到申请数 over 1.当面申请数…), whereas a group
    label stands for everything under it (表三's （三）不予公开).
    """
    own = set(keys)
    return [key for key in keys
            if any(key == p or (p not in own and key.startswith(p + "/")) for p in prefixes)]


@dataclass(frozen=True)
class Part:
    id: str
    title: str
    narrative: bool = False
    table: str | None = None
    also: tuple[str, ...] = ()  # other headings published reports give the part (for import)


@dataclass(frozen=True)
class Edition:
    id: str
    name: str
    title: str
    parts: tuple[Part, ...]
    tables: dict[str, Table]
    rules: tuple[dict, ...]
    years: tuple[int | None, int | None] | None = None
    deadline: str = "01-31"
    aliases: dict[str, str] = field(default_factory=dict)
    history: tuple[dict, ...] = ()  # the figures compared across years, and their cells here
    notebook: str = "annual_report.ipynb"  # the template notebook that draws its reports (notebooks/)

    @property
    def narrative_parts(self) -> list[str]:
        return [part.id for part in self.parts if part.narrative]

    def report_title(self, agency: str, year: int) -> str:
        return self.title.format(agency=agency, year=year, next_year=year + 1)

    def title_words(self, agency: str, year: int) -> list[str]:
        """The title in the pieces a line may break between: each field begins a piece
        (衢州市机关事务保障中心 | 2022年政府信息公开工作年度报告), so that HTML, PDF and Word break a
        title after the agency or before a year, never inside a word (GB/T 9704)."""
        values = {"agency": agency, "year": year, "next_year": year + 1}
        pieces = [""]
        for literal, name, _, _ in string.Formatter().parse(self.title):
            pieces[-1] += literal
            if name is not None:
                if pieces[-1]:
                    pieces.append("")
                pieces[-1] += str(values[name])
        return pieces

    def part_title(self, part: Part, year: int) -> str:
        """A part's heading for a report year (a work summary's headings name the year and the next)."""
        return part.title.format(year=year, next_year=year + 1)

    def canonical(self, label: str) -> str:
        """The official form of one label written any accepted way (alias, width, spacing)."""
        folded = fold(label)
        return self._label_index.get(folded, label)

    @functools.cached_property
    def _label_index(self) -> dict[str, str]:
        index: dict[str, str] = {}
        for table in self.tables.values():
            for row, column in table.cells():
                for label in [*split_path(row), *split_path(column)]:
                    index[fold(label)] = label
        for alias, official in self.aliases.items():
            index[fold(alias)] = official
        return index

    def resolve_row(self, table_id: str, path: str) -> str | None:
        """The official row key for a label path written any accepted way, or None.

        The full path is matched first; a shorter path is accepted when it names one row
        only (`1.属于国家秘密` for `三、本年度办理结果/（三）不予公开/1.属于国家秘密`).
        """
        return _resolve(self.tables[table_id].rows, path, self.canonical)

    def resolve_column(self, table_id: str, row: str, path: str) -> str | None:
        return _resolve(self.tables[table_id].columns(row), path, self.canonical)


def _resolve(keys: list[str], path: str, canonical) -> str | None:
    """The key a path names. An empty path names the only key there is (a one-column row's
    value may stand alone). Paths are compared folded and joined, so that a label holding a
    full-width ／ (2019's 本年增／减) is also found when written with / (本年增/减)."""
    wanted = "/".join(fold(canonical(label)) for label in split_path(path))
    if not wanted:
        return keys[0] if len(keys) == 1 else None
    by_folded = _folded(tuple(keys))
    if wanted in by_folded:
        return by_folded[wanted]
    ends = [key for folded, key in by_folded.items() if folded.endswith("/" + wanted)]
    return ends[0] if len(ends) == 1 else None


@functools.lru_cache(maxsize=1024)
def _folded(keys: tuple[str, ...]) -> dict[str, str]:
    """Keys by their folded form: made once per table and row (a record resolves every cell's
    labels against the same few lists; folding them each time took most of a record's read)."""
    return {"/".join(fold(label) for label in split_path(key)): key for key in keys}


@functools.cache
def _definitions() -> dict[str, dict]:
    """Every edition's definition as written, by id: this folder's, then registered ones."""
    return registry.yaml_definitions("nianbao.editions", __package__, "格式版本")


def available() -> list[str]:
    return list(_definitions())


@functools.cache
def load(edition_id: str) -> Edition:
    """The edition with this id; an unknown id raises KeyError naming the known ones."""
    definitions = _definitions()
    edition_id = str(edition_id)
    if edition_id not in definitions:
        raise KeyError(f"未知的格式版本 {edition_id!r}，可用：{'、'.join(definitions)}")
    edition = _build(_merged(edition_id, definitions))
    mistakes = schema.problems(edition)
    if mistakes:
        raise ValueError(f"格式版本 {edition_id} 的定义有误：\n" + "\n".join(mistakes))
    return edition


def default_for(year: int) -> Edition:
    """The edition whose `years` span the report year."""
    for edition_id, data in _definitions().items():
        if not data.get("years"):
            continue  # a variant a record must declare
        first, last = data["years"]
        if (first is None or year >= first) and (last is None or year <= last):
            return load(edition_id)
    raise KeyError(f"没有适用于 {year} 年度报告的格式版本")


def _merged(edition_id: str, definitions: dict[str, dict]) -> dict:
    """A definition with what it `extends` filled in: its own keys win, tables one by one. A
    rule written `{id: …, same_as: <edition>}` is that edition's rule of the id, with the keys
    it gives besides (`years`) over it."""
    data = dict(definitions[edition_id])
    if "rules" in data:
        data["rules"] = [_borrowed(rule, definitions) for rule in data["rules"]]
    parent_id = data.pop("extends", None)
    if parent_id is None:
        return data
    parent = _merged(str(parent_id), definitions)
    merged = {**parent, **data}
    merged["tables"] = {**parent.get("tables", {}), **data.get("tables", {})}
    return merged


def _borrowed(rule: dict, definitions: dict[str, dict]) -> dict:
    if "same_as" not in rule:
        return rule
    source = str(rule["same_as"])
    lent = [r for r in _merged(source, definitions).get("rules", ()) if r.get("id") == rule["id"]] \
        if source in definitions else []
    if not lent:
        raise ValueError(f"规则 {rule['id']}：same_as 的格式版本 {source!r} 中没有这条规则")
    return {**lent[0], **{key: value for key, value in rule.items() if key != "same_as"}}


def _build(data: dict) -> Edition:
    tables = {
        table_id: Table(
            id=table_id,
            name=spec["name"],
            blocks=tuple(_block(b) for b in spec["blocks"]),
        )
        for table_id, spec in data["tables"].items()
    }
    return Edition(
        id=str(data["id"]),
        name=data["name"],
        title=data["title"],
        parts=tuple(Part(**{**part, "also": tuple(part.get("also", ()))}) for part in data["parts"]),
        tables=tables,
        rules=tuple(data.get("rules", ())),
        years=tuple(data["years"]) if data.get("years") else None,
        deadline=data.get("deadline", "01-31"),
        aliases=dict(data.get("aliases", {})),
        history=tuple(data.get("history", ())),
        notebook=data.get("notebook", "annual_report.ipynb"),
    )


def _block(spec: dict) -> Block:
    columns = []
    for column in spec["columns"]:
        column = column if isinstance(column, dict) else {"label": column}
        if column.get("kind", "count") not in COLUMN_KINDS:
            raise ValueError(f"column {column['label']}: kind must be one of {COLUMN_KINDS}")
        columns.append(Column(**column))
    rows = []
    for row in spec["rows"]:
        row = row if isinstance(row, dict) else {"label": str(row)}
        if row.get("kind", "") not in ("", *COLUMN_KINDS, HEADING):
            raise ValueError(f"row {row['label']}: kind must be one of {(*COLUMN_KINDS, HEADING)}")
        rows.append(Row(**row))
    return Block(
        rows=tuple(rows),
        columns=tuple(columns),
        title=spec.get("title", ""),
        stub=spec.get("stub", ""),
        column_header=spec.get("column_header", ""),
        note=spec.get("note", ""),
        unit=spec.get("unit", ""),
        flat=spec.get("flat", False),
    )
