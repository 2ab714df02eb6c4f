"""The official table layouts, as the edition data lays them out for HTML and Excel alike."""
from conftest import DEMO
from nianbao import editions, intake
from nianbao.editions import layout
from nianbao.document import grid as tables

EDITION = editions.load("2021")


def spans(paths):
    return {(s.label, s.level): (s.start, s.depth, s.width) for s in layout.spans(paths)}


def test_table_three_columns_put_five_under_one_merged_header():
    columns = [c.label for c in EDITION.tables["三"].blocks[0].columns]
    placed = spans(columns)
    assert placed[("自然人", 0)] == (0, 2, 1)          # covers both header lines
    assert placed[("法人或其他组织", 0)] == (1, 1, 5)  # one line, five columns
    assert placed[("商业企业", 1)] == (1, 1, 1) and placed[("其他", 1)] == (5, 1, 1)
    assert placed[("总计", 0)] == (6, 2, 1)


def test_table_four_columns_stand_as_the_national_form_draws_them():
    columns = [c.label for c in EDITION.tables["四"].blocks[0].columns]
    placed = spans(columns)
    assert placed[("行政复议", 0)] == (0, 1, 5)  # one line, its five heads merged down two below it
    assert [placed.get((label, 1)) for label in ("结果维持", "总计")] == [(0, 2, 1), (4, 2, 1)]
    assert placed[("行政诉讼", 0)] == (5, 1, 10)
    assert placed[("未经复议直接起诉", 1)] == (5, 1, 5) and placed[("复议后起诉", 1)] == (10, 1, 5)
    assert [s.level for s in layout.spans(columns) if s.label == "结果维持"] == [1, 2, 2]


def test_table_three_rows_merge_group_labels_and_stretch_leaves():
    rows = EDITION.tables["三"].rows
    placed = spans(rows)
    assert placed[("一、本年新收政府信息公开申请数量", 0)] == (0, 3, 1)  # all three stub columns
    assert placed[("三、本年度办理结果", 0)] == (2, 1, 22)              # one tall cell over 22 rows
    assert placed[("（一）予以公开", 1)] == (2, 2, 1)
    assert placed[("（三）不予公开", 1)] == (4, 1, 8)
    assert placed[("（六）其他处理", 1)] == (20, 1, 3)
    single = editions.load("2021-single-six").tables["三"].rows
    assert spans(single)[("（六）其他处理", 1)] == (20, 2, 1)


def test_frames_carry_the_label_paths_and_keep_blanks_apart_from_zero():
    record = intake.read(DEMO)
    record.tables["三"]["二、上年结转政府信息公开申请数量"]["总计"] = None
    frame = tables.frame(EDITION.tables["三"], record.tables["三"])
    assert frame.shape == (25, 7)
    assert frame.loc[("三、本年度办理结果", "（三）不予公开", "1.属于国家秘密"), ("法人或其他组织", "商业企业")] == 0
    assert frame.loc[("二、上年结转政府信息公开申请数量", "", ""), ("总计", "")] is None
    two = tables.frame(EDITION.tables["二"], record.tables["二"])
    assert two.loc[("第二十条第（一）项", "规章"), "本年制发件数"] == 1
    assert two.loc[("第二十条第（八）项", "行政事业性收费"), "本年收费金额（单位：万元）"] == 0
