"""A workbook as what it is on disk, a zip of XML parts, looked at before openpyxl reads it:
whether it unpacks to more than any real one, and which part of a damaged one is broken.

openpyxl keeps every cell of every sheet as a Python object, so a workbook's cost is its cells,
not its size: 380 KB of a sheet that repeats one cell unpacked to 8 million of them and took
`nianbao check` 2.8 GB and 82 s, and one merged range (`AA100:ZZ20000`, 17 KB in all) is
13 million cells to openpyxl, one object each. `bound` refuses such a workbook first, reading
the zip's directory (what each part unpacks to, which zipfile never reads past) and counting
each sheet's cells and merged cells as its XML streams by. The bounds are far above any real
workbook: the narrative at its longest (six parts of 100,000 characters) unpacks to under 2 MB,
and all the tables together have under 2,000 cells.
"""
from __future__ import annotations

import zipfile
from pathlib import Path
from xml.etree import ElementTree

from openpyxl.reader.excel import ExcelReader
from openpyxl.utils.cell import range_boundaries
from openpyxl.xml.constants import SHEET_MAIN_NS

from .raw import IntakeError, Problem

UNPACKED_MB = 50  # what all the parts of a workbook unpack to, in MB
CELLS = 100_000   # cells in all its sheets, merged ones included
_CELL, _MERGED = f"{{{SHEET_MAIN_NS}}}c", f"{{{SHEET_MAIN_NS}}}mergeCell"


def bound(path: Path) -> None:
    """Raise IntakeError when the workbook unpacks to more than UNPACKED_MB, or its sheets hold
    more than CELLS cells, naming the sheet that holds the most. A file that is no workbook, or a
    damaged one, is left to openpyxl, whose reading says what is wrong."""
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(item.file_size for item in archive.infolist())
    except (zipfile.BadZipFile, OSError):
        return
    if unpacked > UNPACKED_MB * 2**20:
        raise IntakeError(path, [Problem("文件", f"解压后共 {unpacked // 2**20} MB，超过上限 {UNPACKED_MB} MB："
                                               "填报表只有几张表格，其中可能有异常内容（请在新模板中重新填写）")])
    try:
        reader = ExcelReader(path)
    except Exception:
        return
    with reader.archive:
        try:
            reader.read_manifest()
            reader.read_workbook()
            sheets = [(sheet.name, rel.target) for sheet, rel in reader.parser.find_sheets()]
        except Exception:
            return
        counted: dict[str, int] = {}
        for name, part in sheets:
            if part in reader.valid_files:
                counted[name] = _cells(reader.archive, part, CELLS - sum(counted.values()))
            if sum(counted.values()) > CELLS:
                largest = max(counted, key=counted.get)
                raise IntakeError(path, [Problem(largest, f"工作表“{largest}”的数据区域过大：工作簿的单元格（含合并的"
                                                          f"单元格）超过上限 {CELLS} 个，多在此表，而填报表的表格共不到 2000 个"
                                                          "（请删除表格以外的内容，或在新模板中重新填写）")])


def _cells(archive: zipfile.ZipFile, part: str, allowed: int) -> int:
    """A sheet's cells and the cells its merged ranges span, counted as its XML streams by,
    stopping once past `allowed`."""
    count = 0
    try:
        with archive.open(part) as stream:
            for _, element in ElementTree.iterparse(stream):
                if element.tag == _CELL:
                    count += 1
                elif element.tag == _MERGED:
                    count += _span(element.get("ref", ""))
                element.clear()
                if count > allowed:
                    break
    except Exception:  # a damaged sheet: reading the workbook says what is wrong
        pass
    return count


def _span(ref: str) -> int:
    """The cells a merged range spans; 0 for one that is no range of cells (openpyxl's reading
    says what is wrong with it), so that it cannot end the count early."""
    try:
        left, top, right, bottom = range_boundaries(ref)
        return (right - left + 1) * (bottom - top + 1)
    except (ValueError, TypeError):  # `A:A` has no rows, `x` is no range
        return 0


def damage(path: Path) -> str | None:
    """Which part of a workbook (a zip of XML files) is broken, if it is a zip and one is."""
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        return None
    with archive:
        for name in archive.namelist():
            try:
                data = archive.read(name)
            except Exception:  # a wrong CRC (BadZipFile), zlib.error, EOFError, an unknown method...
                return f"其中的 {name} 无法解压"
            try:
                if name.endswith((".xml", ".rels")):
                    ElementTree.fromstring(data)
            except ElementTree.ParseError:
                return f"其中的 {name} 不是完整的 XML"
    return None
