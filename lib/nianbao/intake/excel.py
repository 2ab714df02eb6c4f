"""The Excel intake: a workbook drawn from an edition for agencies to fill in, and its reader.

`write_workbook` draws the official tables of an edition from its data (blocks, label paths,
merged headers placed by `layout.spans`), never from a hard-coded table; given a record it
fills it in, which also exports a record to Excel. `read` takes a filled workbook back
through `raw.build`, so the same content gives the same Record as the YAML route.

Writer and reader find every cell through the same layout functions (`info_sheet`,
`text_sheet`, `table_sheet`), so the reader looks exactly where the writer wrote. Label
cells are locked, and checked on reading: a workbook whose layout was changed is refused,
naming the first cell that no longer holds its label, and so is text typed into the hidden
cells of a merged label whose merge was split, naming each.
"""
from __future__ import annotations

import functools
import math
import unicodedata
from pathlib import Path

import openpyxl
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.page import PageMargins

from .. import editions
from ..labels import fold, split_path
from ..record import Record
from . import package
from .raw import FIELDS, YEARS, IntakeError, Problem, Raw, build, edition_for
from .sheets import GUIDE, INFO, TEXT, Sheet, info_sheet, part_names, table_sheet, text_sheet

# --- Writing ---------------------------------------------------------------------------------

def write_workbook(edition_id: str, path, record: Record | None = None) -> Path:
    """Write the workbook of an edition to `path`: blank, or filled with `record`."""
    edition = editions.load(edition_id)
    if record is not None and record.edition != edition.id:
        raise ValueError(f"记录的格式版本为 {record.edition}，与模板的格式版本 {edition.id} 不同")
    book = openpyxl.Workbook()
    guide = book.active
    guide.title = GUIDE
    _draw_guide(guide, edition)

    info = {name: getattr(record, name) for name in FIELDS} if record else {"edition": edition.id}
    _draw(book.create_sheet(INFO), info_sheet(), info)
    _draw(book.create_sheet(TEXT), text_sheet(edition), record.parts if record else {})
    cells = {}
    if record:
        cells = {(table_id, row, column): value
                 for table_id, rows in record.tables.items()
                 for row, values in rows.items()
                 for column, value in values.items()}
    for table in edition.tables.values():
        _draw(book.create_sheet(table.name), table_sheet(edition, table), cells)
    path = Path(path)
    book.save(path)
    return path


def _guide(edition: editions.Edition) -> list[str]:
    """The lines of the 说明 sheet, with the edition's own tables, kinds and sum rules."""
    tables = list(edition.tables.values())
    names = "、".join(f"“{table.name}”" for table in tables)
    titles = part_names(edition)
    narrative = "、".join(f"“{titles[part_id]}”" for part_id in edition.narrative_parts)

    def columns_of(kind):
        """The columns of that kind, and the rows that give their cells that kind."""
        found = [f"{t.name}“{split_path(row)[-1] if t.block_of(row).row(row).kind else column}”"
                 for t in tables for row, column in t.cells() if t.column(row, column).kind == kind]
        return "、".join(dict.fromkeys(found))  # once each, in table order

    amounts, signed = columns_of("amount"), columns_of("signed")
    lines = [
        f"政府信息公开工作年度报告填报表 · {edition.name}",
        "",
        "一、填写什么",
        f"1. “{INFO}”：在 B 列填写机关名称、报告年度、成文日期（必填）及其他项目。"
        f"“格式版本”已预填为 {edition.id}，已锁定。",
        f"2. “{TEXT}”：在 B 列填写{narrative}的文字。空一行即另起一段；以“1. ”或“- ”开头的行是列表条目。",
        f"3. {names}：按官方表格格式，在浅黄色单元格中填写数字。",
        "",
        "二、注意事项",
        "1. 只有浅黄色单元格可以填写。标签单元格已锁定（工作表受保护，未设密码）："
        "请勿修改标签，也不要插入或删除行列，否则无法读取。",
        "2. 请勿重命名或删除工作表。",
        "3. 留空表示“不知道、未填报”，与填 0 不同：确实为零的请填 0。",
        "4. 件数、申请数、案件数等数量填非负整数（0、1、2……）。"
        + (f"{amounts}填非负数，可带小数，单位为万元。" if amounts else "")
        + (f"{signed}填整数，可为负数。" if signed else ""),
        "5. 日期按“2023年1月28日”的格式书写。",
        "",
        "三、勾稽关系（读入后逐项核对，不符的会报告）",
    ]
    lines += [f"{table.name}：{block.note}" for table in tables for block in table.blocks if block.note]
    lines += [f"{edition.tables[rule['table']].name}：{rule['message']}"
              for rule in edition.rules if rule.get("kind") == "sum"]
    return lines


_SIDE = Side(style="thin", color="808080")
_BOX = Border(left=_SIDE, right=_SIDE, top=_SIDE, bottom=_SIDE)
_CENTRED = Alignment(horizontal="center", vertical="center", wrap_text=True)
_STYLES = {  # style: font, alignment, fill
    "caption": (Font(bold=True, size=14), _CENTRED, None),
    "header": (Font(bold=True), _CENTRED, PatternFill("solid", fgColor="F2F2F2")),
    # a block's title (表二's 第二十条第（一）项) shaded as the official form shades it
    "title": (Font(bold=True), _CENTRED, PatternFill("solid", fgColor="C6D9F1")),
    "text": (Font(), Alignment(vertical="center", wrap_text=True), None),
}
_INPUT = PatternFill("solid", fgColor="FFF2CC")
_UNLOCKED = Protection(locked=False)
_LOCKED = Protection(locked=True)
_TEXT_ALIGN = Alignment(vertical="top", wrap_text=True)

# Input kind: data validation type, operator, bounds, error message. Text kinds have none.
_VALIDATION = {
    "count": ("whole", "greaterThanOrEqual", "0", None, "请填写非负整数（0、1、2……）。不知道请留空，不要填 0。"),
    "amount": ("decimal", "greaterThanOrEqual", "0", None, "请填写非负数，可带小数，单位为万元。"),
    "signed": ("whole", "between", "-2147483648", "2147483647", "请填写整数，可为负数。"),
    "year": ("whole", "between", str(YEARS[0]), str(YEARS[1]), f"请填写四位数年份（{YEARS[0]}—{YEARS[1]}）。"),
}


def _validation(kind: str) -> DataValidation:
    type_, operator, low, high, error = _VALIDATION[kind]
    return DataValidation(type=type_, operator=operator, formula1=low, formula2=high, allow_blank=True,
                          showErrorMessage=True, errorTitle="填写有误", error=error)


def _draw(ws, sheet: Sheet, values: dict) -> None:
    """Draw a sheet's labels and input cells, fill in `values` by input key, protect it."""
    widths = _widths(sheet)
    for column, width in widths.items():
        ws.column_dimensions[get_column_letter(column)].width = width
    lines: dict[int, int] = {}  # row: text lines its tallest one-row cell needs

    def need(row, text, left, right):
        wide = sum(widths[c] for c in range(left, right + 1))
        lines[row] = max(lines.get(row, 1), _lines(text, wide))

    for label in sheet.labels:
        cell = ws[label.cell]
        _put(cell, label.text)
        cell.font, cell.alignment, fill = _STYLES[label.style]
        if label.indent:
            cell.alignment = Alignment(vertical="center", wrap_text=True, indent=label.indent)
        if fill:
            cell.fill = fill
        if label.style != "caption":
            cell.border = _BOX
        if (label.bottom, label.right) != (label.top, label.left):
            ws.merge_cells(label.ref)  # after styling: the merged edges take the border
        if label.top == label.bottom:
            need(label.top, label.text, label.left, label.right)

    validations: dict[str, DataValidation] = {}
    for item in sheet.inputs:
        cell = ws[item.cell]
        _put(cell, values.get(item.key))
        cell.protection, cell.fill, cell.border = (_LOCKED, _STYLES["header"][2], _BOX) if item.locked \
            else (_UNLOCKED, _INPUT, _BOX)
        if item.kind in ("text", "markdown"):
            cell.number_format = "@"  # kept as typed: a code 001 or an edition 2021 stays text
            cell.alignment = _TEXT_ALIGN
            need(item.row, str(cell.value or ""), item.column, item.column)
            if item.kind == "markdown":
                lines[item.row] = max(lines[item.row], 10)  # a tall cell invites a long text
            continue
        if item.kind not in validations:
            validations[item.kind] = _validation(item.kind)
            ws.add_data_validation(validations[item.kind])
        validations[item.kind].add(cell)

    for row, count in lines.items():
        if count > 1:  # Excel does not grow rows for wrapped text in files it did not lay out
            ws.row_dimensions[row].height = min(15 * count, 409)
    ws.freeze_panes = sheet.freeze
    header_rows = int(sheet.freeze.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")) - 1  # what is frozen on screen
    _print_setup(ws, landscape=sum(widths.values()) > 110, title_rows=f"1:{header_rows}" if header_rows else None)
    _protect(ws)


def _print_setup(ws, landscape: bool, title_rows: str | None = None, centred: bool = True) -> None:
    """Agencies print the workbook before they fill it in: A4, every column on one page width
    (as many pages down as it takes), what stays in view on screen repeated at the top of
    every printed page. Wide tables (表三, 表四) lie landscape."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.print_options.horizontalCentered = centred
    ws.page_margins = PageMargins(left=0.4, right=0.4, top=0.6, bottom=0.6)  # inches
    if title_rows:
        ws.print_title_rows = title_rows


# The 说明 sheet's one column, in Excel's width units (digits of the default font). It must fit
# A4 portrait as it is: LibreOffice does not shrink a sheet of one column to the page width (a
# column is never split, so the sheet counts as one page wide already), and it measures in the
# digits of its stand-in for Calibri where Calibri is missing, a third wider: 100 ran off the
# page there, 70 fits.
GUIDE_WIDTH = 70


def _draw_guide(ws, edition: editions.Edition) -> None:
    ws.column_dimensions["A"].width = GUIDE_WIDTH
    for row, line in enumerate(_guide(edition), start=1):
        cell = ws.cell(row, 1, line)
        cell.alignment = _TEXT_ALIGN
        if row == 1:
            cell.font = _STYLES["caption"][0]
        scale = cell.font.sz / 11  # the caption's type is larger: fewer characters a line
        lines = _lines(line, int(GUIDE_WIDTH / scale))
        if lines > 1:  # wrapped lines, which no program makes room for by itself
            ws.row_dimensions[row].height = 15 * scale * lines
    _print_setup(ws, landscape=False, centred=False)  # text, read from the left margin
    _protect(ws)


def _protect(ws) -> None:
    ws.protection.sheet = True  # no password: it guards against slips, not people
    ws.protection.formatColumns = ws.protection.formatRows = False  # widening stays allowed


def _put(cell, value) -> None:
    cell.value = None if value == "" else value
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"  # text that happens to start with "=", not a formula


def _widths(sheet: Sheet) -> dict[int, int]:
    """Column widths from the one-column labels in each, between 10 and 40 characters."""
    last = max([label.right for label in sheet.labels] + [item.column for item in sheet.inputs])
    widths = dict.fromkeys(range(1, last + 1), 10)
    for label in sheet.labels:
        if label.left == label.right:
            widths[label.left] = max(widths[label.left], min(_text_width(label.text) + 2, 40))
    return widths | sheet.widths


def _text_width(text: str) -> int:
    """Width in Excel's units (a digit is one): Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _lines(text: str, width: int) -> int:
    return sum(max(1, math.ceil(_text_width(line) / max(width - 1, 1))) for line in text.split("\n"))


# --- Reading ---------------------------------------------------------------------------------

def read(path: Path) -> Record:
    """The Record in a filled workbook; raise IntakeError listing every problem found."""
    path = Path(path)
    package.bound(path)
    # The workbook as typed, so that a formula shows as one. The values Excel calculated for
    # formulas are in a second reading (data_only), made only when some input holds a formula:
    # agencies type numbers, and a reading takes as long as the first.
    book = _open(path)
    calculated = functools.cache(lambda: _open(path, data_only=True))
    problems: list[Problem] = []
    meta = _collect(book, calculated, info_sheet(), problems)
    edition = edition_for(meta)
    parts: dict = {}
    cells: dict = {}
    if edition is not None:
        parts = _collect(book, calculated, text_sheet(edition), problems)
        for table in edition.tables.values():
            cells |= _collect(book, calculated, table_sheet(edition, table), problems)
    return build(path, meta, parts, cells, problems)


def declared_edition(path) -> str | None:
    """The edition the 基本信息 sheet declares, read without the rest of the workbook (the batch
    picks each report's notebook by it); None when it declares none."""
    path = Path(path)
    package.bound(path)
    [cell] = [item.cell for item in info_sheet().inputs if item.key == "edition"]
    book = openpyxl.load_workbook(path, read_only=True)  # each sheet read as it is asked for
    try:
        value = book[INFO][cell].value if INFO in book.sheetnames else None
    finally:
        book.close()
    return ("" if value is None else str(value).strip()) or None


def _open(path: Path, data_only=False):
    try:
        return openpyxl.load_workbook(path, data_only=data_only)
    # Whatever a broken file makes openpyxl raise: BadZipFile (not a zip, or a wrong CRC),
    # zlib.error, an XML ParseError for a cut-off sheet, KeyError for a missing part...
    except Exception:
        damage = package.damage(path)
        message = (f"文件已损坏，无法作为 Excel 工作簿读取：{damage}" if damage else
                   "无法作为 Excel 工作簿打开，应为 .xlsx 文件（可用 Excel 或 WPS 另存为 .xlsx）")
        raise IntakeError(path, [Problem("文件", message)]) from None


def _collect(book, calculated, sheet: Sheet, problems: list[Problem]) -> dict:
    """The raw value of each input of a sheet, by input key, if the sheet and its labels are there.

    `calculated()` is the workbook read for the values of formulas.
    """
    if sheet.name not in book.sheetnames:
        problems.append(Problem(sheet.name, f"缺少工作表“{sheet.name}”"))
        return {}
    ws = book[sheet.name]
    for label in sheet.labels:
        found = ws[label.cell].value
        if label.official and fold(label.text) != fold("" if found is None else found):
            shown = "空白" if found is None else f"“{found}”"
            problems.append(Problem(f"{sheet.name}!{label.cell}",
                                    f"应为标签“{label.text}”，实为{shown}：表格布局被改动过，"
                                    "请勿修改标签或插入、删除行列（可在新模板中重新填写）"))
            return {}  # the values would no longer stand where the layout says
    problems.extend(_typed_into_labels(ws, sheet))
    found = {}
    for item in sheet.inputs:
        where, value = f"{sheet.name}!{item.cell}", ws[item.cell].value
        if ws[item.cell].data_type == "f":
            formula = getattr(value, "text", value)  # an array formula is an object holding its text
            value = calculated()[sheet.name][item.cell].value
            if value is None:  # saved by a program that does not calculate, as openpyxl does
                problems.append(Problem(where, f"单元格是公式“{formula}”，但没有计算结果："
                                               "请在 Excel 或 WPS 中打开并保存，或直接填写数值"))
        found[item.key] = Raw(value, where)
    return found


def _typed_into_labels(ws, sheet: Sheet) -> list[Problem]:
    """Text in a merged label's other cells, which stay empty while the merge holds: someone
    split the merge and typed a heading of their own. The values still stand where the layout
    says, but the printed table no longer has the official heads."""
    problems = []
    for label in sheet.labels:
        if not label.official:
            continue
        cells = [(row, column) for row in range(label.top, label.bottom + 1)
                 for column in range(label.left, label.right + 1)]
        for row, column in cells[1:]:  # the top left one holds the label
            value = ws.cell(row, column).value
            if value is not None and str(value).strip():
                problems.append(Problem(f"{sheet.name}!{get_column_letter(column)}{row}",
                                        f"应为空白（属于标签“{label.text}”的合并单元格 {label.ref}），"
                                        f"实为“{value}”：表头的合并单元格被拆开并填写过，"
                                        "请勿修改标签（可在新模板中重新填写）"))
    return problems
