"""A JSON Schema per edition for record.json, made from the edition's definition.

record.json (batch/pipeline.py, `Record.to_dict`) is a report's record as read: its metadata,
its narrative parts and every cell of its tables under the official labels. The schema names
each table, row and column by those labels, says each cell's kind and unit, and that a blank
cell is `null`: unknown, never the same as 0. An edition added as YAML has its schema at once
(`nianbao schema --edition ID`); the schemas of the editions shipped with nianbao are also
files of the package (nianbao/schemas/record-ID.schema.json).
"""
from __future__ import annotations

from .. import editions, ids
from ..intake.raw import LARGEST, PART_LENGTH
from ..record import FIELDS

DIALECT = "https://json-schema.org/draft/2020-12/schema"
BLANK = "null 表示空白：未填报、数值未知，不等于 0"
# What each kind of cell holds (editions.COLUMN_KINDS)
KINDS = {
    "count": ({"type": ["integer", "null"], "minimum": 0, "maximum": LARGEST}, "计数，非负整数"),
    "amount": ({"type": ["number", "null"], "minimum": 0, "maximum": LARGEST}, "金额，单位万元，非负"),
    "signed": ({"type": ["integer", "null"], "minimum": -LARGEST, "maximum": LARGEST}, "增减数，整数，可为负"),
}
NO_UNIT = "——"  # what the legacy 统计表 prints in the 单位 of a line that heads others


def record_schema(edition_id: str) -> dict:
    """The JSON Schema of a record.json of this edition (KeyError naming the known ones)."""
    edition = editions.load(edition_id)
    text = {"type": "string"}
    metadata = {name: {**text, "title": title} for name, title in FIELDS.items()}
    metadata["agency_id"] |= {"pattern": f"^(?:{ids.ID.pattern})$", "description": ids.RULE}
    metadata["year"] = {"type": "integer", "title": FIELDS["year"]}
    metadata["edition"] = {"const": edition.id, "title": FIELDS["edition"], "description": edition.name}
    metadata["date"]["description"] = "如报告所写，如 2024年1月29日；未写明时为空"
    metadata["published"]["description"] = "如 2024年1月30日；不知道时为空"
    parts = {part.id: {**text, "maxLength": PART_LENGTH, "title": _said(part.title) or part.id,
                       "description": "Markdown 文字" if part.narrative else "表格前的说明文字（Markdown，可无）"}
             for part in edition.parts if part.narrative or part.table}
    return {
        "$schema": DIALECT,
        "$id": f"urn:nianbao:schema:record:{edition.id}",
        "title": f"年报记录（record.json）：{edition.name}",
        "description": f"一份{_said(edition.title, agency='（机关）')}的内容："
                       f"基本信息、正文各部分和各表的全部单元格。表格按官方标签取值，{BLANK}。",
        "type": "object",
        "properties": {
            **metadata,
            "parts": {"type": "object", "title": "正文", "properties": parts,
                      "required": edition.narrative_parts, "additionalProperties": False},
            "tables": {"type": "object", "title": "表格", "properties": {
                table_id: _table(table) for table_id, table in edition.tables.items()},
                "required": list(edition.tables), "additionalProperties": False},
            "covers": {"type": "array", "items": {"type": "string"}, "title": "涵盖的单位",
                       "description": "政府的报告：其表格所汇总的各单位的代码（未能汇总的见 checks.json 的 coverage）"},
        },
        "required": [*FIELDS, "parts", "tables", "covers"],
        "additionalProperties": False,
    }


def _said(title: str, **known) -> str:
    """A title of the edition with its year placeholders left as words: `N年工作总结`."""
    return title.format(year="N", next_year="N+1", **known)


def _table(table: editions.Table) -> dict:
    rows = {}
    for block in table.blocks:
        for key in block.keys:
            rows[key] = {
                "type": "object",
                "title": key.replace("/", " / ") or f"{table.name}（仅一行）",
                "properties": {column.label: _cell(table.column(key, column.label), unit(table, key, column.label))
                               for column in block.columns},
                "required": [column.label for column in block.columns],
                "additionalProperties": False,
            }
    return {"type": "object", "title": table.name, "properties": rows, "required": list(rows),
            "additionalProperties": False}


def unit(table: editions.Table, row: str, column: str) -> str:
    """A cell's unit, where the form states it (the legacy 统计表's 单位 column) or it is known
    (every amount of a record is in 万元); "" otherwise: the 2019 and 2021 forms name none."""
    stated = table.block_of(row).row(row).unit
    if stated and stated != NO_UNIT:
        return stated
    return "万元" if table.column(row, column).kind == "amount" else ""


def _cell(column: editions.Column, unit: str) -> dict:
    kind, said = KINDS[column.kind]
    return {**kind, "title": column.label.replace("/", " / "),
            "description": f"{said}{f'（单位：{unit}）' if unit else ''}；{BLANK}",
            **({"unit": unit} if unit else {})}

