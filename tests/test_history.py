"""An agency over the years: figures across editions, the stated mapping, changes, charts."""
import base64
import re
import warnings

from conftest import ROOT
from nianbao import editions, intake
from nianbao.document import Chart, build, history
from nianbao.pages.html import picture
from nianbao.record import blank_tables
from nianbao.report import Report

OTHER_2021 = "三、本年度办理结果/（六）其他处理/"


def scjgj(year):
    return intake.read(ROOT / f"data/{year}/shili-scjgj.yaml")


def as_single_six(record, other: int):
    """The record in the variant edition, its three （六） sub-rows folded into the single row."""
    tables = blank_tables(editions.load("2021-single-six"))
    for row, values in tables["三"].items():
        for column in values:
            values[column] = record.tables["三"].get(row, {}).get(column)
    tables["三"]["三、本年度办理结果/（六）其他处理"] = dict.fromkeys(tables["三"]["四、结转下年度继续办理"], 0)
    tables["三"]["三、本年度办理结果/（六）其他处理"]["总计"] = other
    record.edition, record.tables = "2021-single-six", {**record.tables, "三": tables["三"]}
    return record


def test_figures_add_up_the_rows_each_edition_names():
    older, newer = as_single_six(scjgj(2022), other=3), scjgj(2023)
    frame = history.figures([newer, older])                  # any order in, years in order out
    assert list(frame.columns) == [2022, 2023]
    assert frame.loc[("办理结果", "其他处理")].tolist() == [3, 1]  # single row / three sub-rows added
    assert frame.loc[("申请办理", "本年新收")].tolist() == [50, 42]
    assert frame.loc[("复议诉讼", "行政诉讼")].tolist() == [2, 1]  # 未经复议直接起诉 + 复议后起诉
    notes = history.mappings([older, newer])
    assert len(notes) == 1 and notes[0][0] == "办理结果"
    assert "2021年版格式（表三“（六）其他处理”不分项的变体）为“（六）其他处理”" in notes[0][1]
    assert "“3.其他”" in notes[0][1]
    assert history.mappings([scjgj(2022), newer]) == []      # one edition: nothing to state


def test_a_blank_cell_leaves_its_figure_unknown_and_changes_blank():
    newer = scjgj(2023)
    newer.tables["三"][OTHER_2021 + "3.其他"]["总计"] = None
    frame = history.figures([scjgj(2022), newer])
    assert frame.loc[("办理结果", "其他处理"), 2023] is None
    shown = history.changes(frame)
    assert shown.loc[("办理结果", "其他处理")].tolist() == ["3", "", "", ""]
    assert shown.loc[("申请办理", "本年新收")].tolist() == ["50", "42", "-8", "-16%"]
    assert shown.loc[("申请办理", "上年结转")].tolist() == ["1", "2", "+1", "+100%"]
    assert shown.loc[("申请办理", "结转下年度")].tolist() == ["3", "3", "0", "0%"]


def test_charts_keep_their_chinese_labels_as_text():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns "Glyph … missing from font" for a box
        charts = [block for block in build.history(scjgj(2023), [scjgj(2022)]).blocks if isinstance(block, Chart)]
        drawn = picture(charts[0])
    assert [chart.title for chart in charts] == ["申请办理", "办理结果", "复议诉讼"]
    svg = base64.b64decode(drawn.removeprefix("data:image/svg+xml;base64,")).decode()
    # text, not glyph outlines: the PDF can be searched and read aloud (#16 item 8)
    assert re.search(r"<text\b[^>]*>本年新收</text>", svg) and re.search(r"<text\b[^>]*>2023年</text>", svg)


def test_the_report_shows_history_only_when_there_are_earlier_years():
    newer = Report.load(ROOT / "data/2023/shili-scjgj.yaml", history=[ROOT / "data/2022/shili-scjgj.yaml"])
    html = newer.history().html
    assert "附：示例市市场监督管理局历年情况对比" in html and "（2022—2023年）" in html
    assert html.count("<img") == 3 and "较上年增减" in html
    assert Report.load(ROOT / "data/2023/shili-scjgj.yaml").history().html == ""


def test_a_legacy_year_maps_what_its_table_has_and_says_what_it_lacks():
    legacy = intake.read(ROOT / "data/2019/shangqiu-jgswzx.yaml")
    later = intake.read(ROOT / "data/2020/shili-zrzyghj.yaml")
    legacy.agency_id = later.agency_id  # as if one agency had changed format between the years
    frame = history.figures([legacy, later])
    assert frame.loc[("复议诉讼", "行政复议")].tolist() == [0, 5]
    assert frame.loc[("办理结果", "予以公开"), 2019] is None  # the legacy table does not count it
    notes = dict((note.split("”")[0].lstrip("“"), note) for _, note in history.mappings([legacy, later]))
    assert "为“四、行政复议数量”" in notes["行政复议"] and "为“行政复议/总计”" in notes["行政复议"]
    assert "政府信息公开情况统计表）为无此项" in notes["予以公开"]
