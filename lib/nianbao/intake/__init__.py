"""Intake: turn what an agency hands in (YAML, an Excel workbook) into a Record.

`read` picks the reader by file suffix; each reader (yamlfile, excel) finds the raw fields and
hands them to raw.build, which applies one set of rules to all of them. Other packages add
readers through the entry point group ``nianbao.record_formats`` (name: the suffix, object: a
function ``read(path) -> Record``).
"""
from __future__ import annotations

from pathlib import Path

from .. import editions, registry, yamltext
from ..record import Record
from . import yamlfile
from .raw import IntakeError, Problem

__all__ = ["NOT_A_FILE", "IntakeError", "Problem", "edition_of", "read", "readers"]

# What a path that exists but is no regular file is said to be. Whatever is read from a user's
# path must be a regular file: a named pipe would hold the reader (and the batch) until someone
# writes to it, a device never ends.
NOT_A_FILE = "不是普通文件（可能是命名管道、设备或目录）"


def readers() -> dict:
    """Record readers by file suffix: the built-in ones, then those other packages register."""
    return registry.entries("nianbao.record_formats",
                            {".yaml": yamlfile.read, ".yml": yamlfile.read, ".xlsx": _read_workbook})


def _read_workbook(path: Path) -> Record:
    from . import excel  # here: openpyxl takes 0.3 s to import, and most records are YAML

    return excel.read(path)


def read(path, *, year: int | None = None, agency_id: str | None = None) -> Record:
    """Read one agency-year; `year` and `agency_id`, when given, are what it must declare."""
    path = Path(path)
    known = readers()
    reader = known.get(path.suffix.lower())
    if reader is None:
        raise IntakeError(path, [Problem("文件类型", f"无法读取 {path.suffix or '无扩展名'} 文件，"
                                             f"应为 {'、'.join(known)} 之一")])
    if not path.exists():
        raise IntakeError(path, [Problem("文件", "文件不存在")])
    if not path.is_file():
        raise IntakeError(path, [Problem("文件", NOT_A_FILE)])
    record = reader(path)
    wrong = []
    if year is not None and record.year != int(year):
        wrong.append(Problem("year（年度）", f"应为 {year}，实为 {record.year}"))
    if agency_id is not None and record.agency_id != agency_id:
        wrong.append(Problem("agency_id（机关代码）", f"应为 {agency_id}，实为 {record.agency_id}"))
    if wrong:
        raise IntakeError(path, wrong)
    return record


def edition_of(path, year: int) -> editions.Edition | None:
    """The edition a record file declares, else the edition of its year, without reading the
    whole record (the batch picks each report's notebook by it). None when neither is known:
    reading the record says why."""
    declared = None
    if not Path(path).is_file():
        return None
    try:
        if Path(path).suffix.lower() in (".yaml", ".yml"):
            data = yamltext.load(Path(path).read_text(encoding="utf-8"))
            declared = data.get("edition") if isinstance(data, dict) else None
        elif Path(path).suffix.lower() == ".xlsx":
            from . import excel

            declared = excel.declared_edition(path)
        return editions.load(str(declared)) if declared else editions.default_for(year)
    except Exception:  # an unreadable record, an unknown edition: the report's intake names it
        return None
