"""The report's form (checks/form.py), each rule on published reports that have the fault and
on ones that do not: the title, the statistics period the lead states, tables in an older
edition's layout, and 规章 reported by a body that cannot make them."""
import datetime as dt

import pytest

from conftest import ROOT, SAMPLES, SEEDS
from nianbao import checks, editions, importer, intake, patterns
from nianbao.checks.form import day

TODAY = dt.date(2026, 12, 6)
GOLD = ROOT / "benchmarks" / "gold" / "reports"


def found(path, rule: str):
    """The findings of one rule on a published report, checked as `nianbao audit` checks it."""
    imported = importer.read(path)
    return [f for f in checks.check(imported.record, today=TODAY, unread=imported.unread, layout=imported.kind,
                                    title=imported.title) if f.rule == rule]


def seed(number: int):
    return next(SEEDS.glob(f"{number:03d}_*.txt"))


# ---- 标题.规范 -------------------------------------------------------------------------------

def test_a_title_not_in_the_format_s_form_is_flagged():
    [title] = found(seed(1), "标题.规范")  # 衢州市机关事务保障中心, a 2022 report
    assert title.found == "衢州市机关事务保障中心2022年政务公开工作年报" and title.part == "agency"
    assert title.severity == "warning"
    assert title.message.startswith("标题“衢州市机关事务保障中心2022年政务公开工作年报”不合年度报告格式："
                                    "应为“<机关名称>2022年政府信息公开工作年度报告”")
    # the year before the agency; 信息公开 without 政府
    assert [f.found for f in found(GOLD / "sxjiaxian-xizhen-2022.txt", "标题.规范")] == ["2022年度螅镇政府信息公开工作年度报告"]
    assert [f.found for f in found(GOLD / "guyang-xiashihao-2022.txt", "标题.规范")] == ["下湿壕镇政府2022年信息公开工作年度报告"]


def test_a_title_in_the_format_s_form_a_title_only_quoted_and_a_report_made_here_are_not():
    assert found(SAMPLES / "raw" / "huaian-2024.txt", "标题.规范") == []
    # `2021年度` for `2021年` is accepted
    assert importer.read(GOLD / "dongsheng-rsj-2021.txt").title.endswith("2021年度政府信息公开工作年度报告")
    assert found(GOLD / "dongsheng-rsj-2021.txt", "标题.规范") == []
    # `现将信访局2021年度政府信息公开工作报告如下` is a sentence of the lead, not the title
    assert importer.read(GOLD / "dttz-xfj-2021.txt").title == ""
    assert found(GOLD / "dttz-xfj-2021.txt", "标题.规范") == []
    # a record made here bears its edition's title, legacy's too
    shangqiu = intake.read(ROOT / "data/2019/shangqiu-jgswzx.yaml")
    assert shangqiu.edition == "legacy" and not [f for f in checks.check(shangqiu, today=TODAY) if f.rule == "标题.规范"]


def test_the_legacy_layout_s_title_binds_from_2019_and_a_work_summary_has_none():
    """Seed 003, a 2019 report in the legacy layout, titled as no format names it; no title was
    prescribed before 2019. Seed 000 is a work summary, its own genre."""
    [legacy] = found(seed(3), "标题.规范")
    assert legacy.found == "商丘市机关事务中心2019年度政府信息与政务公开工作报告"
    old = importer.read(seed(3))
    old.record.year = 2018
    assert not [f for f in checks.check(old.record, today=TODAY, title=old.title) if f.rule == "标题.规范"]
    summary = importer.read(seed(0))
    assert summary.record.edition == "work-summary" and found(seed(0), "标题.规范") == []


# ---- 导语.统计期限 ----------------------------------------------------------------------------

def test_a_period_that_is_not_the_report_year_is_flagged():
    """wuqi-zhouwan-2021's page lost 年 and 月: `统计期限自202111日起至20211230日止`."""
    [period] = found(GOLD / "wuqi-zhouwan-2021.txt", "导语.统计期限")
    assert (period.part, period.found, period.expected) == ("contact", "2021年1月1日至2021年12月30日",
                                                            "2021年1月1日至2021年12月31日")
    assert "202111日起至20211230日" in period.excerpt
    assert period.message == "开头段落所述统计期限为2021年1月1日至2021年12月30日，2021年度报告的统计期限应为2021年1月1日至2021年12月31日"


@pytest.mark.parametrize("report", ["anhui-tjj-2021", "lintao-xintian-2022", "zoucheng-tianhuang-2021",
                                    "longquan-xijie-2019"])
def test_the_report_year_however_written_is_not(report):
    """`202111日起至20211231日止`, `2022年1月1日到12月31日`, `2021年1月1日起至12月31日止`."""
    assert found(GOLD / f"{report}.txt", "导语.统计期限") == []


def test_a_day_run_together_is_read_only_where_it_can_be_told():
    assert day("20211231日") == dt.date(2021, 12, 31) and day("202111日") == dt.date(2021, 1, 1)
    assert day("12月31日", 2022) == dt.date(2022, 12, 31) and day("2022 年 1 月 1 日") == dt.date(2022, 1, 1)
    assert day("2021121日") is None  # 1月21日 or 12月1日
    assert day("12月31日") is None   # no year known
    assert day("20211331日") is None


# ---- 格式.版本 -------------------------------------------------------------------------------

def test_tables_in_an_older_edition_s_layout_are_flagged():
    [single] = found(SAMPLES / "raw" / "hongze-2023.txt", "格式.版本")  # 2021 format, 2019's （六）
    assert single.table == "三" and single.found == editions.load("2021-single-six").name
    assert single.message.endswith("表三（“（六）其他处理”只有一行、不分项）")
    [old] = found(GOLD / "sxjiaxian-xizhen-2022.txt", "格式.版本")  # a 2022 report, 2019's table 二
    assert old.table == "二" and old.expected == editions.load("2021").name
    assert "表二（有“规范性文件”行" in old.message and "表三（“（六）其他处理”只有一行、不分项）" in old.message


def test_a_report_in_its_year_s_layout_is_not():
    assert found(SAMPLES / "raw" / "huaian-2024.txt", "格式.版本") == []
    assert found(SAMPLES / "raw" / "pingtan-2019.txt", "格式.版本") == []  # 2019's format in 2019
    # the legacy table in a 2019 report: the 2019 notice only encouraged its own format (seed 003)
    assert importer.read(seed(3)).record.edition == "legacy" and found(seed(3), "格式.版本") == []


# ---- 表二.规章主体 ---------------------------------------------------------------------------

def test_a_rule_reported_by_a_body_that_cannot_make_one_is_flagged():
    [centre] = found(seed(1), "表二.规章主体")  # 衢州市机关事务保障中心: 本年制发 1
    assert (centre.table, centre.row, centre.column, centre.found) == ("二", "第二十条第（一）项/规章", "本年制发件数", "1")
    assert "衢州市机关事务保障中心是事业单位（中心），没有规章制定权" in centre.message
    [town] = found(GOLD / "taojiang-songmutang-2022.txt", "表二.规章主体")
    assert town.found == "2" and "桃江县松木塘镇人民政府是乡镇人民政府或街道办事处" in town.message


def test_a_rule_reported_by_a_city_s_government_is_not():
    assert importer.read(SAMPLES / "raw" / "huaian-2024.txt").record.value("二", "第二十条第（一）项/规章", "本年制发件数") == 1
    assert found(SAMPLES / "raw" / "huaian-2024.txt", "表二.规章主体") == []  # 淮安市人民政府


def test_the_bodies_are_told_by_name_conservatively():
    """Names of the gold set's and the seeds' agencies: a 县's or 区's body, a 镇, a 中心 are
    sure; a city's or a province's department, or a 自治区's government, are left alone."""
    [rule] = [r for r in editions.load("2021").rules if r["id"] == "表二.规章主体"]

    def body(name):
        return next((said["what"] for said in rule["bodies"] if patterns.search(said["pattern"], name)), None)

    for name in ("大同市云冈区商务局", "桦川县卫生健康局", "淮安市洪泽区人民政府", "维西傈僳族自治县卫生健康局",
                 "高平市建宁乡人民政府", "宿城街道办事处", "定海区机关事务管理中心"):
        assert body(name), name
    for name in ("淮安市人民政府", "遵义市统计局", "安徽省统计局", "山西省人民政府外事办公室", "上海市",
                 "广西壮族自治区人民政府", "安丘市人民政府办公室"):
        assert body(name) is None, name
