"""The Excel intake: the template drawn from the edition, and reading it back.

Cell addresses are written out here on purpose: they are what agencies and messages see, so a
change of layout must show up as a failing test.
"""
import datetime as dt

import openpyxl
import pytest

from conftest import DEMO
from nianbao import intake
from nianbao.intake import IntakeError, excel

FIRST_ROW = "一、本年新收政府信息公开申请数量"
FEE = ("二", "第二十条第（八）项/行政事业性收费", "本年收费金额（单位：万元）")


@pytest.fixture
def demo():
    return intake.read(DEMO)


@pytest.fixture
def filled(tmp_path, demo):
    """The demo record exported to a workbook."""
    return excel.write_workbook("2021", tmp_path / "quzhou.xlsx", record=demo)


def edit(path, changes):
    """Write {(sheet, cell): value} into a workbook as a person with Excel would."""
    book = openpyxl.load_workbook(path)
    for (sheet, cell), value in changes.items():
        book[sheet][cell] = value
    book.save(path)


def problems_of(path, **expected):
    with pytest.raises(IntakeError) as caught:
        intake.read(path, **expected)
    return str(caught.value)


def test_round_trip_gives_the_record_of_the_yaml_route(filled, demo):
    assert intake.read(filled) == demo


def test_blank_template_gives_what_was_filled_and_none_elsewhere(tmp_path):
    path = excel.write_workbook("2021", tmp_path / "blank.xlsx")
    edit(path, {
        ("基本信息", "B2"): "某市某局",
        ("基本信息", "B4"): 2022,
        ("基本信息", "B6"): "2023年1月20日",
        ("正文", "B2"): "一年来……",
        ("表三", "D7"): 3,
        ("表二", "B16"): 1.25,
        ("表四", "O6"): 2,
    })
    record = intake.read(path)
    assert (record.agency, record.agency_id, record.year, record.edition, record.date) == (
        "某市某局", "blank", 2022, "2021", "2023年1月20日")
    assert record.parts == {"一": "一年来……", "五": "", "六": ""}
    assert record.value("三", FIRST_ROW, "自然人") == 3
    assert record.value(*FEE) == 1.25
    assert record.value("四", "", "行政诉讼/复议后起诉/总计") == 2
    filled_in = [v for rows in record.tables.values() for row in rows.values() for v in row.values()
                 if v is not None]
    assert filled_in == [1.25, 3, 2]


def test_sheets_in_order_with_edition_prefilled(tmp_path):
    book = openpyxl.load_workbook(excel.write_workbook("2021", tmp_path / "t.xlsx"))
    assert book.sheetnames == ["说明", "基本信息", "正文", "表二", "表三", "表四"]
    assert book["基本信息"]["A2"].value == "机关名称（agency）"
    assert book["基本信息"]["B5"].value == "2021"
    assert book["基本信息"]["B4"].value is None
    assert [book["正文"][f"A{row}"].value for row in (2, 3, 4)] == [
        "一、总体情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项"]
    guide = "\n".join(cell.value or "" for cell in book["说明"]["A"])
    for words in ("留空", "与填 0 不同", "单位为万元", "第一项加第二项之和", "请勿重命名"):
        assert words in guide


def validation_of(sheet, cell):
    found = [dv for dv in sheet.data_validations.dataValidation if cell in dv.sqref]
    assert len(found) == 1, f"{sheet.title}!{cell}: {len(found)} validations"
    return found[0]


def test_inputs_are_validated_and_unlocked_labels_locked(tmp_path):
    book = openpyxl.load_workbook(excel.write_workbook("2021", tmp_path / "t.xlsx"))
    count = validation_of(book["表三"], "J31")
    assert (count.type, count.operator, count.formula1, count.allowBlank) == (
        "whole", "greaterThanOrEqual", "0", True)
    assert count.showErrorMessage and "非负整数" in count.error
    fee = validation_of(book["表二"], "B16")
    assert (fee.type, fee.operator, fee.formula1) == ("decimal", "greaterThanOrEqual", "0")
    year = validation_of(book["基本信息"], "B4")
    assert (year.type, year.operator, year.formula1, year.formula2) == ("whole", "between", "1990", "2100")
    for name in book.sheetnames:
        assert book[name].protection.sheet, name
    for sheet, cell in [("表三", "D7"), ("表三", "J31"), ("表二", "B16"), ("表四", "A6"),
                        ("基本信息", "B2"), ("正文", "B4")]:
        assert book[sheet][cell].protection.locked is False, f"{sheet}!{cell}"
    for sheet, cell in [("表三", "A7"), ("表三", "D5"), ("表三", "D4"), ("表二", "A4"),
                        ("表四", "A5"), ("基本信息", "A2"), ("正文", "A2")]:
        assert book[sheet][cell].protection.locked is True, f"{sheet}!{cell}"
    assert book["表三"].freeze_panes == "D7"


@pytest.mark.parametrize("kind, expected", [
    ("count", ("whole", "greaterThanOrEqual", "0", None)),
    ("amount", ("decimal", "greaterThanOrEqual", "0", None)),
    ("signed", ("whole", "between", "-2147483648", "2147483647")),  # no 2021 column is signed
])
def test_each_column_kind_has_its_validation(kind, expected):
    dv = excel._validation(kind)
    assert (dv.type, dv.operator, dv.formula1, dv.formula2) == expected
    assert dv.error


def merged(sheet, cell):
    """The rows and columns the merged range starting at `cell` covers."""
    for rng in sheet.merged_cells.ranges:
        if rng.start_cell.coordinate == cell:
            return rng.max_row - rng.min_row + 1, rng.max_col - rng.min_col + 1
    return 1, 1


def test_headers_are_merged_where_the_official_layout_puts_them(tmp_path):
    book = openpyxl.load_workbook(excel.write_workbook("2021", tmp_path / "t.xlsx"))
    three, four, two = book["表三"], book["表四"], book["表二"]
    assert three["E5"].value == "法人或其他组织" and merged(three, "E5") == (1, 5)
    assert three["D5"].value == "自然人" and merged(three, "D5") == (2, 1)
    assert three["D4"].value == "申请人情况" and merged(three, "D4") == (1, 7)
    assert three["A9"].value == "三、本年度办理结果" and merged(three, "A9") == (22, 1)
    assert three["B9"].value == "（一）予以公开" and merged(three, "B9") == (1, 2)
    assert three["B11"].value == "（三）不予公开" and merged(three, "B11") == (8, 1)
    assert three["A7"].value == FIRST_ROW and merged(three, "A7") == (1, 3)
    assert three["A3"].value.startswith("（本列数据的勾稽关系为") and merged(three, "A3") == (1, 10)
    assert four["F3"].value == "行政诉讼" and merged(four, "F3") == (1, 10)
    assert four["A3"].value == "行政复议" and merged(four, "A3") == (1, 5)
    assert four["A4"].value == "结果维持" and merged(four, "A4") == (2, 1)  # as the national form draws it
    assert four["K4"].value == "复议后起诉" and merged(four, "K4") == (1, 5)
    assert two["A14"].value == "第二十条第（八）项" and merged(two, "A14") == (1, 4)
    assert two["B15"].value == "本年收费金额（单位：万元）"


def test_a_variant_edition_gets_its_own_layout(tmp_path):
    path = excel.write_workbook("2021-single-six", tmp_path / "variant.xlsx")
    sheet = openpyxl.load_workbook(path)["表三"]
    assert sheet["B27"].value == "（六）其他处理" and merged(sheet, "B27") == (1, 2)
    assert sheet["B28"].value == "（七）总计" and sheet["A29"].value == "四、结转下年度继续办理"
    edit(path, {("基本信息", "B2"): "某局", ("基本信息", "B4"): 2023, ("基本信息", "B6"): "2024年1月10日",
                ("表三", "J27"): 4})
    record = intake.read(path)
    assert record.edition == "2021-single-six"
    assert record.value("三", "三、本年度办理结果/（六）其他处理", "总计") == 4


@pytest.mark.parametrize("changes, expected", [
    ({("表三", "D7"): "abc"}, "表三!D7: 应为非负整数，实为文字“abc”"),
    ({("表三", "E12"): -1}, "表三!E12: 应为非负整数，实为负数 -1"),
    ({("表四", "O6"): 1.5}, "表四!O6: 应为非负整数，实为小数 1.5"),
    ({("表二", "B16"): -0.5}, "表二!B16: 应为非负数（可带小数），实为负数 -0.5"),
    ({("基本信息", "B5"): "2099"}, "基本信息!B5: 未知的格式版本 '2099'"),
    ({("基本信息", "B4"): None}, "基本信息!B4: 缺少必填字段“报告年度”（year）"),
    ({("基本信息", "B4"): "去年"}, "基本信息!B4: 报告年度应为四位数年份，实为“去年”"),
    ({("表三", "D5"): "自然人们"}, "表三!D5: 应为标签“自然人”，实为“自然人们”"),
    ({("正文", "A3"): None}, "正文!A3: 应为标签“五、存在的主要问题及改进情况”，实为空白"),
])
def test_bad_input_names_the_file_the_cell_and_the_expectation(filled, changes, expected):
    edit(filled, changes)
    assert f"{filled}: {expected}" in problems_of(filled)


def test_every_problem_is_reported_at_once(filled):
    edit(filled, {("表三", "D7"): "abc", ("表四", "A6"): -2, ("基本信息", "B4"): None})
    lines = problems_of(filled).splitlines()
    assert lines == [
        f"{filled}: 基本信息!B4: 缺少必填字段“报告年度”（year）",
        f"{filled}: 表三!D7: 应为非负整数，实为文字“abc”",
        f"{filled}: 表四!A6: 应为非负整数，实为负数 -2",
    ]


def test_a_shifted_layout_is_refused_without_reading_its_cells(filled):
    book = openpyxl.load_workbook(filled)
    book["表三"].insert_cols(1)  # the row labels now stand in the input columns
    book.save(filled)
    assert problems_of(filled) == (f"{filled}: 表三!A1: 应为标签“三、收到和处理政府信息公开申请情况”，实为空白："
                                   "表格布局被改动过，请勿修改标签或插入、删除行列（可在新模板中重新填写）")


def test_text_typed_into_a_split_header_is_named_by_its_cell(filled, demo):
    book = openpyxl.load_workbook(filled)
    book["表三"].unmerge_cells("D4:J4")  # 申请人情况, over the seven columns
    book.save(filled)
    assert intake.read(filled) == demo  # split and left empty, the table reads as before
    edit(filled, {("表三", "F4"): "（单位：件）"})
    assert problems_of(filled) == (f"{filled}: 表三!F4: 应为空白（属于标签“申请人情况”的合并单元格 D4:J4），"
                                   "实为“（单位：件）”：表头的合并单元格被拆开并填写过，请勿修改标签（可在新模板中重新填写）")


def test_a_label_written_half_width_is_still_the_label(filled, demo):
    edit(filled, {("表二", "A3"): "第二十条第(一)项"})
    assert intake.read(filled) == demo


def test_missing_sheet_is_named(filled):
    book = openpyxl.load_workbook(filled)
    del book["表三"]
    book.save(filled)
    assert f"{filled}: 表三: 缺少工作表“表三”" in problems_of(filled)


def test_a_file_that_is_not_a_workbook(tmp_path):
    path = tmp_path / "report.xlsx"
    path.write_text("机关名称,年度\n", encoding="utf-8")
    assert problems_of(path).startswith(f"{path}: 文件: 无法作为 Excel 工作簿打开")


def test_wrong_year_is_caught_by_the_caller(filled):
    assert problems_of(filled, year=2023) == f"{filled}: year（年度）: 应为 2023，实为 2022"


def test_dates_typed_as_excel_dates_are_written_out(filled):
    edit(filled, {("基本信息", "B6"): dt.datetime(2023, 1, 28), ("基本信息", "B7"): dt.date(2023, 1, 29)})
    record = intake.read(filled)
    assert (record.date, record.published) == ("2023年1月28日", "2023年1月29日")


def test_text_starting_with_an_equals_sign_stays_text(tmp_path, demo):
    demo.parts["五"] = "=1+1 不是公式"
    path = excel.write_workbook("2021", tmp_path / "eq.xlsx", record=demo)
    assert intake.read(path).parts["五"] == "=1+1 不是公式"


def test_a_record_goes_only_into_its_own_edition(tmp_path, demo):
    with pytest.raises(ValueError, match="2021-single-six"):
        excel.write_workbook("2021-single-six", tmp_path / "x.xlsx", record=demo)


def test_the_blank_workbook_prints_one_page_a_sheet_in_libreoffice(tmp_path):
    import subprocess

    from pypdf import PdfReader

    path = excel.write_workbook("2021", tmp_path / "blank.xlsx")
    book = openpyxl.load_workbook(path)
    three = book["表三"]
    assert three.page_setup.orientation == "landscape" and three.page_setup.fitToWidth == 1
    assert three.print_title_rows == "$1:$6"  # the caption, the note and the three header lines
    assert book["基本信息"]["B5"].protection.locked and book["基本信息"]["A5"].value.startswith("格式版本")  # locked
    assert not book["基本信息"]["B2"].protection.locked
    (tmp_path / "home").mkdir()
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
                   env={"HOME": str(tmp_path / "home"), "PATH": "/usr/bin:/bin"}, check=True, capture_output=True,
                   timeout=180)
    assert len(PdfReader(tmp_path / "blank.pdf").pages) == 6  # was 14, 表三 cut into vertical strips
    # Every line of 说明 wraps within its page: pdftotext reads only what lies on the page, and a
    # line that ran off it (LibreOffice does not shrink a sheet of one column) lost its end.
    printed = subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(tmp_path / "blank.pdf"), "-"],
                             check=True, capture_output=True, text=True).stdout
    for line in filter(None, (cell.value for cell in book["说明"]["A"])):
        assert "".join(line.split()) in "".join(printed.split()), line
