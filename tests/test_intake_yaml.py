"""The YAML intake: label matching, the dump it takes back, and bad input named precisely."""
import textwrap

import pytest

from conftest import DEMO
from nianbao import checks, intake
from nianbao.intake import IntakeError, yamlfile

FIRST = "一、本年新收政府信息公开申请数量"
SECRET = "三、本年度办理结果/（三）不予公开/1.属于国家秘密"
THREATS = "三、本年度办理结果/（三）不予公开/3.危及“三安全一稳定”"


def write(tmp_path, body: str, name="agency.yaml"):
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return path


def with_tables(tables: str) -> str:
    return MINIMAL + textwrap.dedent(tables)


MINIMAL = """\
agency: 示例县档案馆
agency_id: shili-dag
year: 2023
date: 2024年1月10日
"""


def test_seed_001_reads_with_its_published_quirks():
    record = intake.read(DEMO, year=2022, agency_id="quzhou-jgswbzzx")
    assert record.edition == "2021"
    assert record.date == "2023年1月28"          # kept as written: the checks report it
    assert record.published == "2023年1月28日"    # an ISO date becomes the Chinese form
    # the published header 本年新发件数 lands on the official 本年制发件数
    assert record.tables["二"]["第二十条第（一）项/规章"] == {"本年制发件数": 1, "本年废止件数": 0, "现行有效件数": 0}
    assert record.value("三", FIRST, "总计") == 0
    assert record.value("四", "", "行政诉讼/复议后起诉/总计") == 0
    assert record.parts["六"].startswith("本年度我中心未收取信息处理费")


def test_dump_reads_back_equal(tmp_path):
    record = intake.read(DEMO)
    again = intake.read(write(tmp_path, yamlfile.dump(record)))
    assert again == record


def test_labels_match_across_width_numbering_quotes_and_shorthand(tmp_path):
    path = write(tmp_path, with_tables("""\
    tables:
      三:
        "一、本年新收政府信息公开申请数量": [3, 0, 0, 0, 0, 1, 4]
        "三、本年度办理结果/(三)不予公开/1、属于国家秘密": [1, 0, 0, 0, 0, 0, 1]
        3.危及三安全一稳定: {自然人: 2}
      二:
        第二十条第(八)项:
          行政事业性收费: {"本年收费金额(单位:万元)": 12.5}
    """))
    record = intake.read(path)
    assert record.tables["三"][FIRST] == dict(zip(
        ["自然人", "法人或其他组织/商业企业", "法人或其他组织/科研机构", "法人或其他组织/社会公益组织",
         "法人或其他组织/法律服务机构", "法人或其他组织/其他", "总计"], [3, 0, 0, 0, 0, 1, 4]))
    assert record.value("三", SECRET, "总计") == 1
    assert record.value("三", THREATS, "自然人") == 2
    assert record.value("二", "第二十条第（八）项/行政事业性收费", "本年收费金额（单位：万元）") == 12.5


def test_a_cell_left_out_is_blank_not_zero(tmp_path):
    record = intake.read(write(tmp_path, MINIMAL + "tables:\n  三:\n    " + FIRST + ": [0, 0, 0, 0, 0, 0, 0]\n"))
    assert record.value("三", FIRST, "总计") == 0
    assert record.value("三", SECRET, "总计") is None
    assert record.edition == "2021"  # picked by the year


def problems(path, **expect) -> list[str]:
    with pytest.raises(IntakeError) as caught:
        intake.read(path, **expect)
    message = str(caught.value)
    assert all(line.startswith(str(path)) for line in message.splitlines()), message
    return message.splitlines()


def test_bad_values_are_all_reported_with_their_field_path(tmp_path):
    path = write(tmp_path, with_tables("""\
    tables:
      三:
        一、本年新收政府信息公开申请数量: [3, abc, 0, 0, 0, -1, 2.5]
      四:
        行政复议: {总计: 十}
    """))
    lines = problems(path)
    assert f"{path}: tables.三.{FIRST}[法人或其他组织/商业企业]: 应为非负整数，实为文字“abc”" in lines
    assert f"{path}: tables.三.{FIRST}[法人或其他组织/其他]: 应为非负整数，实为负数 -1" in lines
    assert f"{path}: tables.三.{FIRST}[总计]: 应为非负整数，实为小数 2.5" in lines
    assert f"{path}: tables.四.行政复议.总计: 应为非负整数，实为文字“十”" in lines


def test_unknown_labels_and_wrong_row_lengths_are_named(tmp_path):
    path = write(tmp_path, with_tables("""\
    tables:
      三:
        一、本年新收申请: [1, 0, 0, 0, 0, 0, 1]
        二、上年结转政府信息公开申请数量: [0, 0, 0]
      五:
        x: 1
    """))
    lines = problems(path)
    assert any("tables.三.一、本年新收申请: 表三中没有这一行" in line for line in lines)
    assert any("tables.三.二、上年结转政府信息公开申请数量: 应有 7 个数" in line and "实有 3 个" in line
               for line in lines)
    assert any("tables.五: 未知的表" in line for line in lines)


def test_missing_fields_wrong_year_and_unknown_edition(tmp_path):
    # only a year is needed to read a record; a missing agency or date is a finding of the checks
    assert problems(write(tmp_path, "agency_id: x\n")) == [f"{tmp_path / 'agency.yaml'}: year: 缺少必填字段“报告年度”（year）"]
    record = intake.read(write(tmp_path, "agency_id: x\nyear: 2023\n"))
    assert (record.agency, record.date) == ("", "")
    missing = [f.part for f in checks.check(record) if f.rule == "基本信息.缺失"]
    assert missing == ["agency", "date"]

    assert problems(write(tmp_path, MINIMAL), year=2022) == [
        f"{tmp_path / 'agency.yaml'}: year（年度）: 应为 2022，实为 2023"]
    lines = problems(write(tmp_path, MINIMAL + "edition: '2035'\n"))
    assert any("edition: 未知的格式版本 '2035'" in line for line in lines)


def test_broken_yaml_and_missing_files_get_a_sentence_not_a_traceback(tmp_path):
    lines = problems(write(tmp_path, "agency: [unclosed\nyear: 2023\n"))
    assert "YAML 语法错误" in lines[0] and "第" in lines[0]
    assert problems(tmp_path / "none.yaml") == [f"{tmp_path / 'none.yaml'}: 文件: 文件不存在"]
    assert "无法读取 .txt 文件" in problems(write(tmp_path, "x", name="agency.txt"))[0]
