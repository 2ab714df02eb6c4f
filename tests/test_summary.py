"""The work summary genre (工作总结 and next-year plan): seeds 000 and 002, checked and rendered."""
import datetime as dt

from conftest import ROOT, render_as_is, seed
from nianbao import checks, intake
from nianbao.intake import excel
from nianbao.record import Record

TODAY = dt.date(2025, 6, 1)
SUMMARY = ROOT / "data" / "2022" / "quzhou-jgswbzzx-summary.yaml"


def found(findings):
    return [(f.rule, f.part, f.expected, f.found) for f in findings]


# ---- seed 000: the demo summary -------------------------------------------------------------

def test_the_demo_summary_is_seed000_as_published():
    record = intake.read(SUMMARY)
    text = seed(0)
    assert (record.edition, record.tables) == ("work-summary", {})
    assert record.title in text  # 衢州市机关事务保障中心2022年政务公开工作总结和2023年工作思路
    paragraphs = {part: body.split("\n\n") for part, body in record.parts.items()}
    assert {part: len(found) for part, found in paragraphs.items()} == {"前言": 1, "一": 4, "二": 4}
    assert all(paragraph in text for found in paragraphs.values() for paragraph in found)
    assert record.parts["二"].startswith("2022年,市机关事务保障中心政务公开工作将增强公开意识")


def test_seed000_plan_speaks_of_2022_and_its_date_lacks_its_day():
    findings = checks.check(intake.read(SUMMARY), today=TODAY)
    assert found(findings) == [("文字.规范", "二", "2023年", "2022年"),
                               ("文字.规范", "date", "2022年12月26日", "2022年12月26")]
    assert "2022" in findings[0].message and "2023" in findings[0].message
    assert findings[0].excerpt.startswith("2022年,市机关事务保障中心政务公开工作将增强")


def test_a_plan_dated_in_the_report_year_needs_a_future_verb_after_将():
    record = intake.read(SUMMARY)
    record.parts["二"] = ("2022年,我中心将完善公开制度。\n\n"                  # a plan for 2022: wrong
                          "2022年,我中心将强化监督作为重点,成效明显。\n\n"     # 将 puts something: a fact
                          "2022年,我中心将政务公开纳入考核。\n\n"              # likewise
                          "2022年,我中心将完善制度,2023年将继续推进。")       # the next year is named
    plans = [f for f in checks.check(record, today=TODAY) if f.part == "二"]
    assert [(f.found, f.excerpt) for f in plans] == [("2022年", "2022年,我中心将完善公开制度。")]


def test_a_summary_may_be_dated_in_the_last_weeks_of_its_year():
    record = intake.read(SUMMARY)
    record.date, record.published = "2022年6月30日", "2022年6月30日"  # too early for a year's summary
    early = [f for f in checks.check(record, today=TODAY) if f.rule == "日期.一致"]
    assert [(f.part, f.expected) for f in early] == [("date", "不早于2022年11月1日"),
                                                     ("published", "不早于2022年11月1日")]


def test_the_summary_goes_through_the_workbook_and_back(tmp_path):
    record = intake.read(SUMMARY)
    path = excel.write_workbook("work-summary", tmp_path / "summary.xlsx", record=record)
    assert intake.read(path) == record


# ---- seed 002: conversion artefacts ----------------------------------------------------------

def seed002() -> Record:
    """The document of seed 002 only: the download site's notes above its title and the page
    number below it are left out; its one-line paragraphs become Markdown paragraphs."""
    title, one, two = "政务公开工作总结和下一步工作方案", "一、政务公开工作开展情况", "二、下一步工作方案"
    text = seed(2)
    body, page = text[text.index(title + "\n") + len(title):].strip().rsplit("\n", 1)
    assert page == "4"

    def paragraphs(lines):
        return "\n\n".join(lines.strip().split("\n"))
    parts = {"前言": paragraphs(body[:body.index(one)]),
             "一": paragraphs(body[body.index(one) + len(one):body.index(two)]),
             "二": paragraphs(body[body.index(two) + len(two):])}
    return Record(agency="市政数局", agency_id="szsj", year=2023, edition="work-summary", date="", parts=parts)


def test_seed002_artefacts_are_reported_once_per_part_with_their_count():
    findings = checks.check(seed002(), today=TODAY)
    lint = [(f.part, f.found, f.message) for f in findings if f.rule == "文字.规范"]
    assert lint == [
        ("前言", "效劳", "疑似格式转换错误“效劳”（共 1 处），应为“服务”"),
        ("前言", "?2023年全州政务公开工作重点工作任务分工方案?",
         "疑似格式转换错误“?2023年全州政务公开工作重点工作任务分工方案?”（共 2 处），应为“《…》”"),
        ("一", "效劳", "疑似格式转换错误“效劳”（共 2 处），应为“服务”"),
        ("一", "〔一〕", "疑似格式转换错误“〔一〕”（共 5 处），应为“（一）”"),
        ("二", "效劳", "疑似格式转换错误“效劳”（共 10 处），应为“服务”"),
        ("二", "原那么", "疑似格式转换错误“原那么”（共 1 处），应为“原则”"),
        ("二", "〔一〕", "疑似格式转换错误“〔一〕”（共 4 处），应为“（一）”"),
        # its closing quotes became 〞: “只跑一次〞
        ("二", "“ 8 个，” 0 个", "成对标点 “…” 不配对：“ 8 个，” 0 个"),
    ]
    # besides: the document has no date; its plan is about what comes next, as it should be
    # no date at all: said once, by the missing-field rule (日期.一致 speaks of dates it cannot read)
    assert found(f for f in findings if f.rule != "文字.规范") == [("基本信息.缺失", "date", "成文日期", "空白")]


# ---- the template notebook -------------------------------------------------------------------

def test_the_work_summary_notebook_runs_with_its_defaults_and_renders(tmp_path):
    page = render_as_is("work_summary.ipynb", tmp_path, review=True)
    title = "衢州市机关事务保障中心2022年政务公开工作总结和2023年工作思路"
    assert page.title.get_text() == f"{title} · 审核" and page.select_one("h1.report-title").get_text() == title
    assert [h2.get_text() for h2 in page.select("section.part h2")] == ["一、2022年工作总结", "二、2023年工作思路"]  # 前言 has no heading
    assert page.select_one("#part-二").get_text().count("市机关事务保障中心政务公开工作将增强") == 1
    assert page.select_one("footer.signature").get_text().split() == ["衢州市机关事务保障中心", "2022年12月26"]
    assert page.select("table") == []
    assert len(page.select("aside.review-panel li.finding")) == 2
