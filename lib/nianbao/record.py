"""The record of one agency-year: what every later step reads, and nothing else.

It is plain data: metadata, the narrative parts as Markdown and the tables as
``{table: {row: {column: value}}}`` keyed by the official labels of the record's edition.
A value is an int, a float (amounts in 万元) or None for a cell left blank, which is
unknown and not the same as 0.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

from . import editions

Value = int | float | None

# What each metadata field is called for people: in messages, and in the workbook.
FIELDS = {
    "agency": "机关名称",
    "agency_id": "机关代码",
    "year": "报告年度",
    "edition": "格式版本",
    "date": "成文日期",
    "published": "发布日期",
    "contact": "联系方式",
    "signed_by": "落款机关",
}

# What a government's report calls the status of each unit it covers (consolidation.py).
STATUSES = {
    "clean": "已汇总，未发现错误",
    "errors": "已汇总，有错误",
    "missing": "缺失：没有本年度报告",
    "failed": "未能汇总",
    "duplicate": "已计入他处，不重复汇总",  # reached a second time; its reason: where it counts
}


def format_value(value: Value) -> str:
    """A value as a report prints it: `5`, `7730.28` (never `5.0` or `1e+06`); blank is ``""``."""
    if value is None:
        return ""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.6f}".rstrip("0").rstrip(".")


@dataclass
class Record:
    agency: str
    agency_id: str
    year: int
    edition: str
    date: str                   # 成文日期 as written in the report, e.g. 2023年1月28日
    contact: str = ""           # the line telling readers whom to ask
    published: str = ""         # 发布日期, when known (the deadline is judged on it)
    signed_by: str = ""         # the agency in the signature block, when it is not `agency`
    parts: dict[str, str] = field(default_factory=dict)
    tables: dict[str, dict[str, dict[str, Value]]] = field(default_factory=dict)
    covers: list[str] = field(default_factory=list)  # a government's report: the ids of the units
                                                     # its tables add up (consolidation.py)
    source: str = field(default="", compare=False)  # where it was read from, for messages

    @property
    def spec(self) -> editions.Edition:
        return editions.load(self.edition)

    @property
    def title(self) -> str:
        return self.spec.report_title(self.agency, self.year)

    def value(self, table: str, row: str, column: str) -> Value:
        return self.tables.get(table, {}).get(row, {}).get(column)

    def to_dict(self) -> dict:
        data = asdict(self)
        data.pop("source")
        return data

    @classmethod
    def from_dict(cls, data: dict, source: str = "") -> Record:
        return cls(**data, source=source)


def blank_tables(edition: editions.Edition) -> dict[str, dict[str, dict[str, Value]]]:
    """Every cell of the edition's tables, all blank."""
    return {
        table_id: {row: {column: None for column in table.columns(row)} for row in table.rows}
        for table_id, table in edition.tables.items()
    }
