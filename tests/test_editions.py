"""The 2019 edition and the legacy statistical table: defaults by year, reading, checks,
rendering in HTML and Excel, all from their edition files."""
import datetime as dt
import json
import re

import openpyxl
import pytest
import yaml
from bs4 import BeautifulSoup

from conftest import ROOT, SAMPLES, render_as_is, seed
from nianbao import checks, editions, intake
from nianbao.intake import IntakeError, excel
from nianbao.labels import fold, split_path
from nianbao.report import Report

TODAY = dt.date(2025, 6, 1)
SHANGQIU = ROOT / "data" / "2019" / "shangqiu-jgswzx.yaml"   # seed 003
PINGTAN = ROOT / "data" / "2019" / "pingtan-zhsyq.yaml"
TABLE = "统计表"
RECEIVED = "三、依申请公开情况/（一）收到申请数"
ONLINE = RECEIVED + "/3.网络申请数"
ANSWERED = "三、依申请公开情况/（三）申请答复数"
REFUSED = ANSWERED + "/4.不同意公开答复数"
LICENSING = "第二十条第（五）项/行政许可"
CHANGE = "本年增／减"


def run(record):
    return checks.check(record, today=TODAY)


def of(findings, rule):
    return [f for f in findings if f.rule == rule]


def errors(findings):
    return [f for f in findings if f.severity == "error"]


def write(tmp_path, data: dict, name="agency.yaml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


# ---- which edition ---------------------------------------------------------------------------

@pytest.mark.parametrize("year, edition", [
    (2008, "legacy"), (2018, "legacy"), (2019, "2019"), (2020, "2019"), (2021, "2021"), (2030, "2021")])
def test_the_year_picks_the_default_edition(year, edition):
    assert editions.default_for(year).id == edition


def test_a_record_without_an_edition_gets_its_years_and_a_declared_one_wins(tmp_path):
    meta = {"agency": "某局", "date": "2019年1月20日"}
    assert intake.read(write(tmp_path, {**meta, "year": 2018})).edition == "legacy"
    assert intake.read(write(tmp_path, {**meta, "year": 2019})).edition == "2019"
    assert intake.read(write(tmp_path, {**meta, "year": 2019, "edition": "2021"})).edition == "2021"
    assert intake.read(SHANGQIU).edition == "legacy"  # a 2019 report that kept the legacy table


# ---- the 2019 edition: 平潭 2019 as transcribed --------------------------------------------

def pingtan_from_json(tmp_path):
    """The numbers of samples/expected/pingtan-2019.json, read through the YAML intake with
    the labels as the JSON writes them (half-width 本年增/减 included); no edition declared."""
    data = json.loads((SAMPLES / "expected" / "pingtan-2019.json").read_text(encoding="utf-8"))
    four = {f"{group}/{column}": value for group, values in data["table4"].items()
            for column, value in zip(data["table4_columns"], values)}
    return intake.read(write(tmp_path, {
        "agency": "平潭综合实验区", "year": data["year"], "date": "2020年1月20日",
        "tables": {"二": data["table2"], "三": data["table3"], "四": four}}))


def test_pingtan_2019_reads_into_the_2019_edition_and_passes_the_table_rules(tmp_path):
    record = pingtan_from_json(tmp_path)
    assert record.edition == "2019"
    assert record.tables["二"][LICENSING] == {"上一年项目数量": 396, CHANGE: 0, "处理决定数量": 181}
    assert record.value("二", "第二十条第（九）项/政府集中采购", "采购总金额") is None
    assert record.value("三", "三、本年度办理结果/（六）其他处理", "总计") == 0
    assert record.value("三", "三、本年度办理结果/（七）总计", "总计") == 23
    findings = run(record)
    assert errors(findings) == []
    assert [(f.row, f.found) for f in of(findings, "数值.未填")] == [
        ("第二十条第（九）项/政府集中采购", "2 个空白")]
    # the rules do run on it: one more 予以公开 breaks both sums of table 三
    record.tables["三"]["三、本年度办理结果/（一）予以公开"]["自然人"] = 8
    assert {f.rule for f in errors(run(record))} == {"表三.办理结果总计", "表三.行总计"}


def test_the_2019_rules_leave_out_what_belongs_to_2021():
    rules = {rule["id"] for rule in editions.load("2019").rules}
    assert "法定.信息处理费" not in rules and "表二.现行有效" not in rules and "文表.收费" not in rules
    assert {"表三.勾稽关系", "表四.总计", "跨年.结转", "文表.申请数", "日期.一致"} <= rules



def test_a_later_years_report_in_the_2019_tables_is_held_to_the_2021_formats_five_subjects():
    """sxjiaxian-xizhen-2022 prints 2019's 表二 (本年新制作数量…, 政府集中采购) in a 2022 report, so
    it is read with the 2019 edition, and its one-paragraph 总体情况 is still held to the 2021
    format's five subjects (the 2019 edition borrows the rule, `same_as: "2021"`, for report years
    from 2021); pingtan-2019 is not."""
    from nianbao import importer

    gold = ROOT / "benchmarks" / "gold" / "reports" / "sxjiaxian-xizhen-2022.txt"
    record = importer.read(gold).record
    assert (record.edition, record.year) == ("2019", 2022)
    assert [f.expected for f in of(run(record), "内容.总体情况五方面")] == ["依申请公开", "政府信息管理", "平台建设", "监督保障"]
    pingtan = importer.read(SAMPLES / "raw" / "pingtan-2019.txt").record  # 基本情况, 主要做法
    assert pingtan.edition == "2019" and of(run(pingtan), "内容.总体情况五方面") == []


def test_a_rule_borrowed_from_an_edition_that_has_none_of_that_id_is_named(monkeypatch):
    import copy

    definitions = copy.deepcopy(editions._definitions())
    borrowing = definitions["2019"]
    borrowing["id"] = "borrowing"
    borrowing["rules"].append({"id": "内容.不存在", "same_as": "2021"})
    monkeypatch.setattr(editions, "_definitions", lambda: {**definitions, "borrowing": borrowing})
    editions.load.cache_clear()
    try:
        with pytest.raises(ValueError, match="规则 内容.不存在：same_as 的格式版本 '2021' 中没有这条规则"):
            editions.load("borrowing")
    finally:
        editions.load.cache_clear()

def test_the_demo_pingtan_record_has_the_json_numbers_and_the_report_text():
    record = intake.read(PINGTAN, year=2019, agency_id="pingtan-zhsyq")
    data = json.loads((SAMPLES / "expected" / "pingtan-2019.json").read_text(encoding="utf-8"))
    for key, values in data["table3"].items():
        assert list(record.tables["三"][key].values()) == values, key
    for key, cells in data["table2"].items():
        assert list(record.tables["二"][key].values()) == list(cells.values()), key
    raw = re.sub(r"\s", "", (SAMPLES / "raw" / "pingtan-2019.txt").read_text(encoding="utf-8"))
    for part in record.parts.values():
        assert part and re.sub(r"\s", "", part) in raw
    assert record.title == "平潭综合实验区2019年政府信息公开工作年度报告"
    assert errors(run(record)) == []


def test_a_negative_change_is_accepted_and_a_negative_count_is_not(tmp_path):
    meta = {"agency": "某局", "year": 2019, "date": "2020年1月20日"}
    record = intake.read(write(tmp_path, {**meta, "tables": {"二": {LICENSING: {"本年增/减": -3}}}}))
    assert record.value("二", LICENSING, CHANGE) == -3
    assert of(run(record), "数值.取值") == []
    bad = write(tmp_path, {**meta, "tables": {"二": {LICENSING: {"上一年项目数量": -3}}}})
    with pytest.raises(IntakeError, match="上一年项目数量.*应为非负整数，实为负数 -3"):
        intake.read(bad)
    record.tables["二"][LICENSING]["处理决定数量"] = -1  # as a record built in code might hold it
    [domain] = of(run(record), "数值.取值")
    assert (domain.row, domain.column, domain.found) == (LICENSING, "处理决定数量", "-1")


# ---- the legacy table: seed 003 ------------------------------------------------------------------

def seed003_table_lines():
    """(label, unit or None, number or None) of each line of seed 003's 统计表."""
    text = seed(3)
    body = text[text.index("统 计 指 标 单位 统计数") + len("统 计 指 标 单位 统计数"):text.index("单位负责人")]
    line = re.compile(r"^(.*?)(?:\s*(——|万元|人次))?(?:\s+(\d+))?$")
    return [line.match(text_line.strip()).groups() for text_line in body.strip().splitlines()]


def test_the_legacy_table_is_seed003s_and_the_demo_record_holds_its_numbers():
    table = editions.load("legacy").tables[TABLE]
    [block] = table.blocks
    record = intake.read(SHANGQIU, year=2019, agency_id="shangqiu-jgswzx")
    lines = seed003_table_lines()
    assert len(lines) == len(block.rows) == 65
    for (label, unit, number), row in zip(lines, block.rows):
        assert fold(label) == fold(split_path(row.label)[-1]), label
        if unit:
            assert unit == row.unit, label
        value = None if row.heading else record.value(TABLE, row.label, "统计数")
        assert value == (None if number is None else int(number)), label
    assert {row.unit for row in block.rows} == {"——", "条", "件", "次", "篇", "个", "人", "人次", "万元"}
    assert [row.label for row in block.rows if row.kind == "amount"] == [
        "七、依申请公开信息收取的费用",
        "八、机构建设和保障经费情况/（四）政府信息公开专项经费（不包括用于政府公报编辑管理及政府网站建设维护等方面的经费）"]


def test_seed003_applications_disagree_with_their_channels_and_with_the_text():
    findings = run(intake.read(SHANGQIU))
    sums = {(f.rule, f.row, f.expected, f.found) for f in errors(findings)}
    assert ("统计表.收到申请数", RECEIVED, "1", "0") in sums
    # 1 answered on time and 1 answered as already public, yet 0 closed and 0 answered
    assert sums == {("统计表.收到申请数", RECEIVED, "1", "0"),
                    ("统计表.申请办结数", "三、依申请公开情况/（二）申请办结数", "1", "0"),
                    ("统计表.申请答复数", ANSWERED, "1", "0")}
    [stated] = of(findings, "文表.申请数")
    assert (stated.severity, stated.part, stated.expected, stated.found) == ("warning", "正文", "1", "0")
    assert "没有收到任何书面或者其他形式要求公开政府信息的申请" in stated.excerpt
    dates = {(f.part, f.message) for f in of(findings, "日期.一致")}
    assert ("published", "发布日期 2019年3月20日 早于报告年度结束（2019年12月31日）") in dates
    assert ("published", "发布日期 2019年3月20日 早于成文日期 2020年1月5日") in dates
    assert of(findings, "法定.公开时限") == []  # by 31 March under the 2008 regulations


def test_a_legacy_line_of_its_own_stands_for_itself_not_its_sub_lines():
    record = intake.read(SHANGQIU)
    values = record.tables[TABLE]
    values[RECEIVED]["统计数"] = 1
    values["三、依申请公开情况/（二）申请办结数"]["统计数"] = 1
    # 答复数 = items 1–8 with item 4 counted once, not again through its 其中 lines
    values[REFUSED]["统计数"] = values[REFUSED + "/其中：涉及国家秘密"]["统计数"] = 2
    values[ANSWERED]["统计数"] = 3
    assert errors(run(record)) == []
    values[REFUSED + "/涉及个人隐私"]["统计数"] = 1
    [refused] = errors(run(record))
    assert (refused.rule, refused.row, refused.expected, refused.found) == ("统计表.不同意公开答复数", REFUSED, "3", "2")


def test_an_amount_line_takes_decimals_and_a_count_line_does_not():
    record = intake.read(SHANGQIU)
    record.tables[TABLE]["七、依申请公开信息收取的费用"]["统计数"] = 0.25
    record.tables[TABLE][ONLINE]["统计数"] = 1.5
    assert [(f.row, f.found) for f in of(run(record), "数值.取值")] == [(ONLINE, "1.5")]


def test_the_legacy_table_renders_with_its_units_headings_and_indents():
    record = intake.read(SHANGQIU)
    html = Report(record, run(record)).part("附件").html
    page = BeautifulSoup(html, "html.parser")
    assert page.select_one("h2").get_text() == "附件：政府信息公开情况统计表"
    assert [th.get_text() for th in page.select("thead th")] == ["统计指标", "单位", "统计数"]
    assert [col["class"] for col in page.select("col")] == [["stub", "leaf"], ["unit"], ["value"]]
    lines = {tr.th.get_text(): tr for tr in page.select("tbody tr")}
    assert len(lines) == 63  # 65 lines, two labels (（二）被依法纠错数, （三）其他情形数) twice

    def cells(label):
        return [(td.get_text(), td["class"][0]) for td in lines[label].select("td")]
    assert cells("一、主动公开情况") == [("——", "unit"), ("102", "value")]
    assert cells("3.网络申请数") == [("件", "unit"), ("1", "value")]
    assert cells("三、依申请公开情况") == [("——", "unit"), ("——", "none")]
    assert cells("制发规范性文件总数") == [("件", "unit"), ("", "blank")]
    assert cells("七、依申请公开信息收取的费用") == [("万元", "unit"), ("0", "value")]
    assert cells("（三）接受培训人员数") == [("人次", "unit"), ("0", "value")]
    assert "style" not in lines["四、行政复议数量"].th.attrs
    assert lines["（一）收到申请数"].th["style"] == "padding-left: 1.5em"
    assert lines["其中：涉及国家秘密"].th["style"] == "padding-left: 4.5em"
    flagged = lines["（一）收到申请数"].select_one("td.value")
    assert "flag-error" in flagged["class"] and flagged.a  # the sum error, linked to the review panel


def test_the_legacy_workbook_draws_units_and_headings_and_gives_the_record_back(tmp_path):
    record = intake.read(SHANGQIU)
    path = excel.write_workbook("legacy", tmp_path / "shangqiu.xlsx", record=record)
    assert intake.read(path) == record
    sheet = openpyxl.load_workbook(path)["政府信息公开情况统计表"]
    assert [sheet[cell].value for cell in ("A1", "A3", "B3", "C3")] == [
        "附件：政府信息公开情况统计表", "统计指标", "单位", "统计数"]
    assert [sheet[cell].value for cell in ("A4", "B4", "C4")] == ["一、主动公开情况", "——", 102]
    assert [sheet[cell].value for cell in ("A8", "B8", "C8")] == ["（二）通过不同渠道和方式公开政府信息的情况", "——", "——"]
    assert sheet["C8"].protection.locked and not sheet["C10"].protection.locked
    assert (sheet["A4"].alignment.indent, sheet["A5"].alignment.indent, sheet["A6"].alignment.indent) == (0, 1, 2)
    fee = next(f"C{row}" for row in range(4, 80) if sheet[f"A{row}"].value == "七、依申请公开信息收取的费用")
    [validation] = [dv for dv in sheet.data_validations.dataValidation if fee in dv.sqref]
    assert validation.type == "decimal"
    guide = "\n".join(cell.value or "" for cell in openpyxl.load_workbook(path)["说明"]["A"])
    assert "“正文”" in guide and "收到申请数应等于当面、传真、网络、信函申请数之和" in guide


def test_the_2019_workbook_takes_a_negative_change_and_gives_the_record_back(tmp_path):
    record = intake.read(PINGTAN)
    record.tables["二"][LICENSING][CHANGE] = -4
    path = excel.write_workbook("2019", tmp_path / "pingtan.xlsx", record=record)
    assert intake.read(path) == record
    sheet = openpyxl.load_workbook(path)["表二"]
    assert (sheet["A7"].value, sheet["C8"].value, sheet["A9"].value, sheet["C9"].value) == (
        "第二十条第（五）项", CHANGE, "行政许可", -4)
    [validation] = [dv for dv in sheet.data_validations.dataValidation if "C9" in dv.sqref]
    assert (validation.type, validation.operator) == ("whole", "between")


def test_the_legacy_notebook_runs_with_its_defaults_and_renders(tmp_path):
    page = render_as_is("legacy_report.ipynb", tmp_path)
    assert page.title.get_text() == "商丘市机关事务中心2019年度政府信息与政务公开工作报告"
    assert page.select_one("#part-正文").get_text().count("一、2019年度政府信息与政务公开情况") == 1
    assert page.select_one("#part-附件 table.flat")
    assert page.select_one("footer.signature").get_text().split() == ["商丘市机关事务服务中心", "2020年1月5日"]


def test_a_mistake_in_an_edition_is_named_when_it_loads(monkeypatch):
    import copy

    definitions = copy.deepcopy(editions._definitions())
    broken = definitions["2021"]
    broken["id"] = "broken"
    rules = {rule["id"]: rule for rule in broken["rules"]}
    rules["表三.勾稽关系"]["kind"] = "summ"
    rules["表三.办理结果总计"]["parts"].append("三、本年度办理结果/（八）不存在")
    rules["文表.申请数"]["patterns"] = ["收到(\\d+件"]
    rules["表二.现行有效"]["table"] = "九"
    broken["history"][0]["table"] = "九"
    monkeypatch.setattr(editions, "_definitions", lambda: {**definitions, "broken": broken})
    editions.load.cache_clear()
    try:
        with pytest.raises(ValueError) as raised:
            editions.load("broken")
    finally:
        editions.load.cache_clear()
    message = str(raised.value)
    assert message.startswith("格式版本 broken 的定义有误")
    assert "规则 表三.勾稽关系：未知的检查类型 'summ'" in message
    assert "规则 表三.办理结果总计：parts 中的 '三、本年度办理结果/（八）不存在' 在表三中没有对应的行" in message
    assert "规则 文表.申请数：正则表达式 '收到(\\\\d+件' 有误" in message
    assert "规则 表二.现行有效：没有表 '九'" in message
    assert "历年对比 received：没有表 '九'" in message


def test_every_built_in_rule_kind_is_known_to_the_schema_and_run_by_the_checks():
    from nianbao import checks
    from nianbao.editions import schema

    assert set(checks.KINDS) == set(schema.PARAMETERS)
