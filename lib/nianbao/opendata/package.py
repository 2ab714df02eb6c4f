"""The reports as a data package (Frictionless Data Package): <out>/data/.

    datapackage.json   what the tables hold: each column's name, type, title and meaning
    reports.csv        one line a report: agency, year, edition, dates, status, key figures,
                       and for a government's report the units its tables sum
    cells.csv          one line a table cell of every report: its table, row, column, value,
                       and whether it is blank (unknown, never 0)

CSV in UTF-8 with a byte-order mark, so that Excel and WPS open it in Chinese; text a
spreadsheet would run as a formula begins with `'` (longcsv.safe_cell). A row and a column are
named by their keys in record.json, so every cell of cells.csv is the same cell there.

The batch keeps each report's slice of both tables in its folder (`pieces`, committed with the
report's other outputs, so an unchanged report is not made again), and `write_batch` joins
them after every run; `nianbao audit` writes the same package for the reports it read
(`write_audit`). A file whose content did not change is not written again.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import dataclass
from pathlib import Path

from .. import dates
from ..longcsv import safe_cell
from ..record import Record, format_value
from . import figures, schema

BOM = "\ufeff"
FOLDER = "data"
# (name, type, title, description): the columns of each table, in order
REPORT_FIELDS = [
    ("report_id", "string", "报告", "报告的标识：批处理为其输出目录（年度/参数文件名），审核为所读文件的路径"),
    ("agency", "string", "机关名称", ""),
    ("agency_id", "string", "机关代码", ""),
    ("year", "integer", "报告年度", ""),
    ("edition", "string", "格式版本", "格式版本的代码（2021、2021-single-six、2019、legacy 等）"),
    ("edition_name", "string", "格式版本名称", ""),
    ("title", "string", "报告标题", ""),
    ("date", "string", "成文日期", "如报告所写"),
    ("date_iso", "date", "成文日期（标准格式）", "成文日期写得完整时，为 YYYY-MM-DD；否则为空"),
    ("published", "string", "发布日期", "如报告所写"),
    ("published_iso", "date", "发布日期（标准格式）", "YYYY-MM-DD；不知道时为空"),
    ("status", "string", "核查状态", "含错误（有未说明的错误）、仅有提示、无问题"),
    ("errors", "integer", "错误数", "核查发现的错误"),
    ("warnings", "integer", "提示数", "核查发现的提示"),
    ("open_errors", "integer", "未决错误数", "既未说明也未标为误报的错误"),
    ("sum_of", "string", "汇总的单位", "政府的报告：其表格所汇总的单位，以分号分隔；其他报告为空"),
]
CELL_FIELDS = [
    ("report_id", "string", "报告", "见 reports.csv 的 report_id"),
    ("agency", "string", "机关名称", ""),
    ("agency_id", "string", "机关代码", ""),
    ("year", "integer", "报告年度", ""),
    ("edition", "string", "格式版本", ""),
    ("table", "string", "表", "表的编号，如 二、三、四、统计表"),
    ("row", "string", "行", "行的官方标签，上级标签在前，以 / 分隔（与 record.json 的键相同）；表四仅一行，为空"),
    ("column", "string", "列", "列的官方标签，上级标签在前，以 / 分隔（与 record.json 的键相同）"),
    ("value", "number", "数值", "空白时为空：未填报、数值未知，不等于 0"),
    ("blank", "boolean", "空白", "true：该单元格空白（未知）；false：有数值"),
    ("unit", "string", "单位", "表格所写或可知的单位（件、条、万元等）；未写明时为空"),
]


@dataclass(frozen=True)
class Report:
    """One report as the package lists it."""
    report_id: str
    record: Record
    errors: int
    warnings: int
    open_errors: int
    sum_of: tuple[str, ...] = ()  # a government's report: the units its tables sum

    @property
    def status(self) -> str:  # as the desk's 状态 says it
        return "含错误" if self.open_errors else ("仅有提示" if self.warnings else "无问题")


def report_fields() -> list[tuple[str, str, str, str]]:
    """The columns of reports.csv: the report's, then every key figure (figures.yaml)."""
    return [*REPORT_FIELDS, *((spec["id"], "number", f"{spec['label']}（{spec['unit']}）",
                               f"{spec['group']}：关键数字，由表格单元格相加得出；格式版本无此项或单元格空白时为空")
                              for spec in figures.definitions())]


def pieces(report: Report) -> dict[str, str]:
    """A report's slices of the package's tables, as the texts of reports.csv and cells.csv."""
    record = report.record
    known = figures.figures(record)
    line = [report.report_id, record.agency, record.agency_id, record.year, record.edition, record.spec.name,
            record.title, record.date, _iso(record.date), record.published, _iso(record.published), report.status,
            report.errors, report.warnings, report.open_errors, ";".join(report.sum_of),
            *(format_value(known[spec["id"]].value) if spec["id"] in known else "" for spec in figures.definitions())]
    who = [report.report_id, record.agency, record.agency_id, record.year, record.edition]
    cells = [[*who, table_id, row, column, format_value(value), "true" if value is None else "false",
              schema.unit(table, row, column)]
             for table_id, table in record.spec.tables.items() for row, column in table.cells()
             for value in [record.value(table_id, row, column)]]
    return {"reports.csv": _csv(report_fields(), [line]), "cells.csv": _csv(CELL_FIELDS, cells)}


def write_pieces(folder: Path, report_id: str, checked) -> None:
    """A report's reports.csv and cells.csv into its (staging) folder, from what its notebook
    checked (document.notebook.Checked); a government's line names the units its tables sum."""
    coverage = checked.coverage
    summed = tuple(unit.id for unit in coverage.units if unit.included) if coverage else ()
    report = Report(report_id, checked.record, checked.errors, checked.warnings, checked.open_errors, summed)
    for name, text in pieces(report).items():
        (folder / name).write_bytes(text.encode("utf-8"))


def _iso(written: str) -> str:
    date, complete = dates.parse(written)
    return date.isoformat() if date and complete else ""


def _csv(fields, lines) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # RFC 4180, as Excel writes it
    writer.writerow([name for name, *_ in fields])
    writer.writerows([safe_cell(value) if isinstance(value, str) else value for value in line] for line in lines)
    return BOM + out.getvalue()


def write_batch(out: Path) -> Path:
    """<out>/data/ from the pieces every report folder of the batch's output folder keeps."""
    found = {name: [_read(path) for path in sorted(out.glob(f"[0-9]*/*/{name}"))]
             for name in ("reports.csv", "cells.csv")}
    return write(out / FOLDER, found)


def write_audit(out: Path, entries, folder: Path) -> Path:
    """<out>/data/ for the reports an audit of `folder` read (audit.Entry): each as imported, from
    the record the audit wrote to <out>/records/; not a second copy of a report, nor a file that
    is no report. A parent's line names the children its tables were reconciled with."""
    from .. import intake

    made = []
    for entry in entries:
        if not entry.read or entry.skipped or entry.duplicate_of:
            continue
        try:
            record = intake.read(out / "records" / f"{Path(entry.page).stem}.yaml")
        except intake.IntakeError:  # its page says what could not be read
            continue
        children = entry.reconciliation.children if entry.reconciliation else []
        summed = tuple(str(child.file.relative_to(folder)) for child in children if not child.reason)
        made.append(pieces(Report(str(entry.file.relative_to(folder)), record, entry.errors, entry.warnings,
                                  entry.errors, summed)))
    return write(out / FOLDER, {name: [piece[name] for piece in made] for name in ("reports.csv", "cells.csv")})


def write(folder: Path, found: dict[str, list[str]]) -> Path:
    """The package in `folder` from the pieces of each table; a piece made by another version of
    nianbao (other columns) is left out until its report is made again."""
    folder.mkdir(parents=True, exist_ok=True)
    tables = {}
    for name, fields in (("reports.csv", report_fields()), ("cells.csv", CELL_FIELDS)):
        header = _csv(fields, [])
        tables[name] = header + "".join(piece[len(header):] for piece in found[name] if piece.startswith(header))
    descriptor = _descriptor({name: text.encode("utf-8") for name, text in tables.items()})
    for name, text in [*tables.items(), ("datapackage.json", descriptor)]:
        _write_if_changed(folder / name, text)
    return folder / "datapackage.json"


def _read(path: Path) -> str:
    """A file's text as written: its CRLF line ends kept (text mode would make them LF)."""
    try:
        return path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


def _write_if_changed(path: Path, text: str) -> None:
    from ..batch.folder import write_atomically

    if _read(path) != text:
        write_atomically(path, text)


def _descriptor(contents: dict[str, bytes]) -> str:
    def resource(name: str, title: str, description: str, fields, keys: dict) -> dict:
        content = contents[f"{name}.csv"]
        return {"name": name, "path": f"{name}.csv", "title": title, "description": description,
                "format": "csv", "mediatype": "text/csv", "encoding": "utf-8-sig",
                "bytes": len(content), "hash": f"sha256:{hashlib.sha256(content).hexdigest()}",
                "schema": {"fields": [{"name": field, "type": kind, "title": said, **({"description": meaning}
                                                                                        if meaning else {})}
                                      for field, kind, said, meaning in fields],
                           "missingValues": [""], **keys}}

    package = {
        "name": "nianbao-reports",
        "title": "政府信息公开工作年度报告数据",
        "description": "各报告的基本信息、核查状态、关键数字，以及各表全部单元格。空白单元格为空，表示未知，不等于 0。",
        "resources": [
            resource("reports", "报告一览", "每份报告一行", report_fields(), {"primaryKey": ["report_id"]}),
            resource("cells", "全部单元格", "每个表格单元格一行", CELL_FIELDS, {
                "primaryKey": ["report_id", "table", "row", "column"],
                "foreignKeys": [{"fields": ["report_id"],
                                 "reference": {"resource": "reports", "fields": ["report_id"]}}]}),
        ],
    }
    return json.dumps(package, ensure_ascii=False, indent=1) + "\n"
