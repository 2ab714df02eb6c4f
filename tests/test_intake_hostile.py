"""Hostile and broken input to the intake: every case ends in one IntakeError naming the file,
the field or cell and what was expected, in Chinese; never a traceback, never silence."""
import os
import random
import re
import subprocess
import sys
import zipfile

import openpyxl
import pytest
import yaml

from conftest import DEMO
from nianbao import checks, intake, yamltext
from nianbao.intake import IntakeError, excel

MINIMAL = """\
agency: 示例县档案馆
agency_id: shili-dag
year: 2023
date: 2024年1月10日
"""
FIRST = "tables.三.一、本年新收政府信息公开申请数量"
FEE = "tables.二.第二十条第（八）项.行政事业性收费.本年收费金额（单位：万元）"


def write(tmp_path, body, name="agency.yaml"):
    path = tmp_path / name
    if isinstance(body, bytes):
        path.write_bytes(body)
    else:
        path.write_text(body, encoding="utf-8")
    return path


def problems(path) -> list[tuple[str, str]]:
    """(where, message) of each problem; each line names the file and says nothing twice."""
    with pytest.raises(IntakeError) as caught:
        intake.read(path)
    found = []
    for line in str(caught.value).splitlines():
        assert line.startswith(f"{path}: "), line
        where, _, message = line.removeprefix(f"{path}: ").partition(": ")
        clauses = [c for c in re.split("[，：；（）。]", message) if len(c) > 2]
        assert len(clauses) == len(set(clauses)), f"said twice: {message}"
        found.append((where, message))
    return found


def with_row(value) -> str:
    return MINIMAL + f"tables:\n  三:\n    一、本年新收政府信息公开申请数量: [{value}, 0, 0, 0, 0, 0, 0]\n"


# --- YAML: what PyYAML lets out or lets through ----------------------------------------------

@pytest.mark.parametrize("body, where, date", [
    (MINIMAL + "published: 2024-02-30\n", "第5行第12列", "2024-02-30"),
    (MINIMAL.replace("date: 2024年1月10日", "date: 2023-02-30"), "第4行第7列", "2023-02-30"),
], ids=["published", "date"])
def test_a_date_that_does_not_exist_is_named_at_its_line(tmp_path, body, where, date):
    assert problems(write(tmp_path, body)) == [(where, f"YAML 语法错误：日期 {date} 不存在")]


def test_a_repeated_key_is_refused_naming_both_lines(tmp_path):
    assert problems(write(tmp_path, MINIMAL + "year: 2022\n")) == [
        ("第5行第1列", "YAML 语法错误：字段 year 重复（第3行、第5行）")]
    nested = MINIMAL + "tables:\n  三:\n    三、本年度办理结果: {x: 1,\n      x: 2}\n"
    assert problems(write(tmp_path, nested)) == [("第8行第7列", "YAML 语法错误：字段 x 重复（第7行、第8行）")]


def test_an_integer_too_long_for_python_is_a_yaml_error(tmp_path):
    [(where, message)] = problems(write(tmp_path, with_row("1" * 5000)))
    assert where == "第7行第24列" and message.startswith("YAML 语法错误：整数 1111111111") and "位数过多" in message


def test_yamltext_stays_a_drop_in_for_safe_load():
    text = "base: &b {x: 1, y: 2}\nmerged:\n  <<: *b\n  y: 3\nwhen: 2024-02-29\nn: 0x1F\n"
    assert yamltext.load(text) == yaml.safe_load(text)
    with pytest.raises(yaml.constructor.ConstructorError) as caught:
        yamltext.load("a: 1\nb: 2024-02-30\n")
    assert caught.value.problem == "日期 2024-02-30 不存在"
    assert (caught.value.problem_mark.line, caught.value.problem_mark.column) == (1, 3)
    with pytest.raises(yaml.YAMLError, match="字段 a 重复（第1行、第2行）"):
        yamltext.load("a: 1\na: 2\n")


@pytest.mark.parametrize("value", ["1" + "0" * 400, "'1e30'", "1000000000001"])
def test_a_count_beyond_a_trillion_is_refused(tmp_path, value):
    assert problems(write(tmp_path, with_row(value))) == [
        (f"{FIRST}[自然人]", "数值过大：应为非负整数，且不超过 1 万亿（10¹²）")]


@pytest.mark.parametrize("value, shown", [
    (".inf", "inf"), ("'Infinity'", "Infinity"), ("'1e400'", "1e400"), (".nan", "nan"), ("-.inf", "-inf")])
def test_infinite_or_nan_counts_and_fees_are_refused(tmp_path, value, shown):
    assert problems(write(tmp_path, with_row(value))) == [
        (f"{FIRST}[自然人]", f"应为非负整数，实为无穷大或无效数值“{shown}”")]
    fee = MINIMAL + f"tables:\n  二:\n    第二十条第（八）项:\n      行政事业性收费: {{本年收费金额（单位：万元）: {value}}}\n"
    assert problems(write(tmp_path, fee)) == [(FEE, f"应为非负数（可带小数），实为无穷大或无效数值“{shown}”")]


def test_a_long_text_in_a_cell_is_quoted_short(tmp_path):
    [(where, message)] = problems(write(tmp_path, with_row("x" * 5000)))
    assert where == f"{FIRST}[自然人]" and message == f"应为非负整数，实为文字“{'x' * 20}…”"


@pytest.mark.parametrize("body, where, message", [
    ("parts: [a, b]\n", "parts", "应为以正文部分编号为键的映射（如“一: 文字”），实为列表"),
    ("parts: 一年来\n", "parts", "应为以正文部分编号为键的映射（如“一: 文字”），实为文字"),
    ("parts: {一: [a]}\n", "parts.一", "正文应为文字（Markdown），实为列表"),
    ("tables: [a, b]\n", "tables", "应为以表名（二、三、四）为键的映射，实为列表"),
    ("tables: []\n", "tables", "应为以表名（二、三、四）为键的映射，实为列表"),
])
def test_parts_and_tables_of_the_wrong_shape_are_named(tmp_path, body, where, message):
    assert problems(write(tmp_path, MINIMAL + body)) == [(where, message)]


def test_a_row_given_as_a_mapping_of_unknown_labels_is_named(tmp_path):
    body = MINIMAL + "tables:\n  三:\n    一、本年新收政府信息公开申请数量: {a: {b: [1]}, 自然人: {c: 1}}\n"
    assert problems(write(tmp_path, body)) == [
        (f"{FIRST}.a.b", "表三中没有这一行"), (f"{FIRST}.自然人.c", "表三中没有这一单元格")]


@pytest.mark.parametrize("line, where, message", [
    ("agency: {a: 1}", "agency", "机关名称应为文字，实为映射"),
    ("agency: [1, 2]", "agency", "机关名称应为文字，实为列表"),
    ("contact: !!binary aGVsbG8=", "contact", "联系方式应为文字，实为“b'hello'”"),
    ("signed_by: yes", "signed_by", "落款机关应为文字，实为真假值"),
    ("published: [2024-01-10]", "published", "发布日期应为日期，实为列表"),
    ("edition: {id: '2021'}", "edition", "格式版本应为文字，实为映射"),
])
def test_metadata_must_be_a_single_value(tmp_path, line, where, message):
    body = MINIMAL.replace("agency: 示例县档案馆\n", "") if line.startswith("agency:") else MINIMAL
    assert problems(write(tmp_path, body + line + "\n")) == [(where, message)]


@pytest.mark.parametrize("value, shown", [
    ("abc", "“abc”"), (".inf", "“inf”"), ("99999999999999999999", "“99999999999999999999”"),
    ("2023.5", "“2023.5”"), ("true", "真假值"), ("[2023]", "列表"), ("{y: 2023}", "映射")])
def test_a_year_that_is_not_a_year_is_named(tmp_path, value, shown):
    body = MINIMAL.replace("year: 2023", f"year: {value}")
    assert problems(write(tmp_path, body)) == [("year", f"报告年度应为四位数年份，实为{shown}")]


def test_narrative_and_metadata_are_capped(tmp_path):
    body = MINIMAL + f"contact: {'话' * 1001}\nparts:\n  一: {'字' * 100_001}\n  五: {'字' * 100_000}\n"
    assert problems(write(tmp_path, body)) == [
        ("contact", "联系方式过长：1001 个字符，应不超过 1000 个字符"),
        ("parts.一", "正文过长：100001 个字符，应不超过 100000 个字符")]


@pytest.mark.parametrize("line, name, where, message", [
    ("agency_id: ../x", "agency.yaml", "agency_id", "“../x”不是有效的机关代码"),
    ("agency_id: a/b", "agency.yaml", "agency_id", "“a/b”不是有效的机关代码"),
    ("", "my agency.yaml", "agency_id", "未填写，取文件名作机关代码：“my agency”不是有效的机关代码"),
    ("", "_x.yaml", "agency_id", "未填写，取文件名作机关代码：“_x”不是有效的机关代码"),
])
def test_agency_id_must_be_a_valid_id(tmp_path, line, name, where, message):
    body = MINIMAL.replace("agency_id: shili-dag\n", line + "\n" if line else "")
    [(found_where, found)] = problems(write(tmp_path, body, name=name))
    assert found_where == where and found.startswith(message) and "只能由字母" in found


def test_an_agency_name_of_spaces_is_missing(tmp_path):
    body = MINIMAL.replace("agency: 示例县档案馆", "agency: '   '")
    record = intake.read(write(tmp_path, body))
    assert record.agency == ""  # read, and the checks name what is missing
    assert [f.part for f in checks.check(record) if f.rule == "基本信息.缺失"] == ["agency"]


ENCODING = "文件应为 UTF-8 编码的文字（GBK、UTF-16 等编码请另存为 UTF-8）"


@pytest.mark.parametrize("data, message", [
    (MINIMAL.encode("utf-16"), ENCODING),        # with its BOM
    (MINIMAL.encode("utf-16-le"), ENCODING),     # without
    ("agency_id: x\nyear: 2023\n".encode("utf-16-le"), f"含有控制字符 U+0000，{ENCODING}"),  # valid UTF-8
    (MINIMAL.encode("gbk"), ENCODING),
    (random.Random(1).randbytes(2048), ENCODING),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(100), ENCODING),
    ((MINIMAL + "contact: \x01\n").encode(), f"含有控制字符 U+0001，{ENCODING}"),
], ids=["utf-16", "utf-16-no-bom", "utf-16-ascii", "gbk", "random", "png", "control"])
def test_a_file_that_is_not_utf8_text_gets_one_sentence(tmp_path, data, message):
    assert problems(write(tmp_path, data)) == [("编码", message)]


# --- Excel -------------------------------------------------------------------------------------

@pytest.fixture
def filled(tmp_path):
    """The demo record exported to a workbook."""
    return excel.write_workbook("2021", tmp_path / "quzhou.xlsx", record=intake.read(DEMO))


SHEET_THREE = "xl/worksheets/sheet5.xml"  # 表三: after 说明, 基本信息, 正文 and 表二


def rewrite(path, member, change):
    """Write the workbook again with `change(bytes)` applied to one member, CRC made to match."""
    with zipfile.ZipFile(path) as archive:
        members = [(info, archive.read(info)) for info in archive.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in members:
            archive.writestr(info, change(data) if info.filename == member else data)


def set_crc(path, member, crc: int):
    """Overwrite the CRC the central directory records for `member`, as a damaged copy would."""
    data = bytearray(path.read_bytes())
    entry = data.find(b"PK\x01\x02")  # a central directory entry
    while entry != -1:
        name_length = int.from_bytes(data[entry + 28:entry + 30], "little")
        if data[entry + 46:entry + 46 + name_length] == member.encode():
            data[entry + 16:entry + 20] = crc.to_bytes(4, "little")
            path.write_bytes(bytes(data))
            return
        entry = data.find(b"PK\x01\x02", entry + 4)
    raise AssertionError(member)


def test_a_truncated_sheet_is_a_damaged_file(filled):
    rewrite(filled, SHEET_THREE, lambda data: data[:len(data) // 2])
    assert problems(filled) == [("文件", f"文件已损坏，无法作为 Excel 工作簿读取：其中的 {SHEET_THREE} 不是完整的 XML")]


def test_a_member_with_a_wrong_crc_is_a_damaged_file(filled):
    set_crc(filled, SHEET_THREE, 0)
    assert problems(filled) == [("文件", f"文件已损坏，无法作为 Excel 工作簿读取：其中的 {SHEET_THREE} 无法解压")]


@pytest.mark.parametrize("sheet, cell, formula", [("表三", "J9", "=SUM(D9:I9)"),    # a value cell
                                                  ("基本信息", "B4", "=2021+1")])  # a required field: said once
def test_an_uncalculated_formula_is_named_not_read_as_blank(filled, sheet, cell, formula):
    book = openpyxl.load_workbook(filled)
    book[sheet][cell] = formula  # openpyxl, like a script, saves no calculated value
    book.save(filled)
    assert problems(filled) == [(f"{sheet}!{cell}", f"单元格是公式“{formula}”，但没有计算结果："
                                                    "请在 Excel 或 WPS 中打开并保存，或直接填写数值")]


def test_a_calculated_formula_gives_its_value(filled):
    book = openpyxl.load_workbook(filled)
    book["表三"]["J9"] = "=SUM(D9:I9)"
    book.save(filled)
    # What Excel saves: the formula and the value it last calculated.
    # (openpyxl writes the empty value as <v /> or, with lxml installed, <v></v>)
    rewrite(filled, SHEET_THREE, lambda data: re.sub(rb"<f>SUM\(D9:I9\)</f><v ?/>|<f>SUM\(D9:I9\)</f><v></v>",
                                                     b"<f>SUM(D9:I9)</f><v>7</v>", data))
    assert intake.read(filled).value("三", "三、本年度办理结果/（一）予以公开", "总计") == 7


def test_a_workbook_cell_beyond_the_bounds_is_refused(filled):
    book = openpyxl.load_workbook(filled)
    book["表三"]["D7"] = 1e13
    book["表二"]["B16"] = "1e400"
    book["基本信息"]["B3"] = "a b"
    book.save(filled)
    found = dict(problems(filled))
    assert found["表三!D7"] == "数值过大：应为非负整数，且不超过 1 万亿（10¹²）"
    assert found["表二!B16"] == "应为非负数（可带小数），实为无穷大或无效数值“1e400”"
    assert found["基本信息!B3"].startswith("“a b”不是有效的机关代码")


# --- what a workbook unpacks to, and what `check` may take --------------------------------------

def check(folder, *files, **env) -> subprocess.CompletedProcess:
    """`nianbao check` as a user runs it, in its own process: it bounds its own memory."""
    return subprocess.run([sys.executable, "-m", "nianbao.cli", "check", *files], cwd=folder, text=True,
                          capture_output=True, env={**os.environ, **env}, stdin=subprocess.DEVNULL)


def padded(rows: int):
    """A change to 表三's XML: `rows` more rows of 100 cells each after the table's own."""
    row = b"<row>" + b"<c><v>0</v></c>" * 100 + b"</row>"
    return lambda data: data.replace(b"</sheetData>", row * rows + b"</sheetData>")


def merged(ref: str):
    """A change to 表三's XML: one more merged range."""
    return lambda data: data.replace(b"</mergeCells>", f'<mergeCell ref="{ref}"/></mergeCells>'.encode())


@pytest.mark.parametrize("change, said", [
    # 8 million cells in 380 KB: 2.8 GB and 82 s before; unpacked, 115 MB
    (padded(80_000), "文件: 解压后共 115 MB，超过上限 50 MB"),
    # 120,000 cells, 20 MB unpacked: within the size, beyond the cells
    (padded(1_200), "表三: 工作表“表三”的数据区域过大：工作簿的单元格（含合并的单元格）超过上限 100000 个"),
    # one merged range: 13 million cells to openpyxl, in 17 KB (2.8 GB and 66 s before)
    (merged("AA100:ZZ20000"), "表三: 工作表“表三”的数据区域过大"),
], ids=["cells-380KB", "cells-20MB", "merged-range"])
def test_a_workbook_of_millions_of_cells_is_refused_before_it_is_read_and_the_others_are_checked(
        filled, change, said):
    rewrite(filled, SHEET_THREE, change)
    good = filled.parent / "good.xlsx"
    excel.write_workbook("2021", good, record=intake.read(DEMO))
    result = check(filled.parent, "quzhou.xlsx", "good.xlsx")
    assert result.returncode == 1
    assert f"quzhou.xlsx: {said}" in result.stderr and "Traceback" not in result.stderr
    assert "good.xlsx  衢州市机关事务保障中心 2022年度" in result.stdout


def test_a_file_past_the_memory_bound_fails_alone_with_the_reason_in_chinese(tmp_path):
    # 3 million values in one row of 6 MB of YAML: 1.2 GB and 28 s to read before
    hog = DEMO.read_text(encoding="utf-8").replace(
        "一、本年新收政府信息公开申请数量: [", "一、本年新收政府信息公开申请数量: [" + "0," * 3_000_000, 1)
    write(tmp_path, hog, "hog.yaml")
    write(tmp_path, DEMO.read_text(encoding="utf-8"), "good.yaml")
    result = check(tmp_path, "hog.yaml", "good.yaml", NIANBAO_MEMORY_LIMIT="500")
    assert result.returncode == 1
    assert result.stderr.startswith("hog.yaml: 读取该文件所需内存超过上限 500 MB，已放弃"), result.stderr
    assert "good.yaml  衢州市机关事务保障中心 2022年度" in result.stdout
