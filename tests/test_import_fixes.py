"""Published reports read back as a user meets them (issue #26, item 5): a file called as a
browser saves it, a page flattened to one line, a count stated after the year, the lead.

Each goes through the commands a user runs: `nianbao import` then `nianbao check`, or
`nianbao audit`.
"""
import csv

import docx
import pytest
import yaml

from conftest import ROOT, SAMPLES
from nianbao.cli import main
from test_import_documents import DOCUMENTS, fill_form


def import_then_check(path, out, capsys) -> tuple[int, str]:
    """`nianbao import PATH -o OUT` then `nianbao check` on the record it wrote: the check's exit
    status and what it printed."""
    assert main(["import", str(path), "-o", str(out)]) == 0
    [record] = out.glob("*.yaml")
    capsys.readouterr()
    status = main(["check", str(record)])
    return status, capsys.readouterr().out


# ---- a file name is no agency id -----------------------------------------------------------

@pytest.mark.parametrize("name", ["年报 (1).docx", "附件1：政府信息公开工作年度报告（2024）.docx", "~$年报.docx", "（）.docx"])
def test_a_consistent_report_checks_clean_whatever_its_file_is_called(tmp_path, capsys, name):
    """The official form filled in with huaian-2024's numbers (they add up), its title left out
    as a report whose title is a picture: the id comes from the file's name made valid."""
    form = docx.Document(str(fill_form("huaian-2024", tmp_path)))
    form.paragraphs[1].text = ""
    form.save(str(tmp_path / name))
    status, printed = import_then_check(tmp_path / name, tmp_path / "out", capsys)
    assert "不是有效的机关代码" not in printed
    assert status == 0, printed


# ---- a published error survives a page flattened to one line ---------------------------------

@pytest.mark.parametrize("joined", ["、", "与", "及", "和"])
def test_a_one_line_pages_run_together_table_four_error_is_flagged(tmp_path, capsys, joined):
    """pingtan-2019 as its crawler flattened it, its 表四's fifteen digits run together, with
    结果维持 1 under 总计 0 and the heading `四、政府信息公开行政复议与行政诉讼情况` (与, 及, 和)."""
    page = (SAMPLES / "raw" / "pingtan-2019.txt").read_text(encoding="utf-8")
    heading = "四、政府信息公开行政复议、行政诉讼情况"
    assert page.count(heading) == 1 and page.count("000000000000000 五、") == 1
    page = page.replace(heading, heading.replace("复议、", f"复议{joined}"))
    page = page.replace("000000000000000 五、", "100000000000000 五、")
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "pingtan-2019.txt").write_text(page, encoding="utf-8")
    capsys.readouterr()
    assert main(["audit", str(tmp_path / "pages"), "-o", str(tmp_path / "audit")]) == 1
    assert "错误最多的规则：表四.总计 1 处" in capsys.readouterr().out
    [row] = csv.DictReader((tmp_path / "audit" / "audit.csv").open(encoding="utf-8-sig"))
    assert row["errors"] == "1", row


# ---- a count stated after the year is read as that count ----------------------------------------

def hongze_2023_saying(sentence: str, tmp_path):
    """hongze-2023's text with its sentence on applications (21, as its 表三) replaced."""
    text = (SAMPLES / "raw" / "hongze-2023.txt").read_text(encoding="utf-8")
    said = "2023 年全区受理政府信息公开申请 21 件，\n均在法定期限答复。"
    assert text.count(said) == 1
    path = tmp_path / "hongze-2023.txt"
    path.write_text(text.replace(said, sentence), encoding="utf-8")
    return path


def test_a_sentence_opening_with_the_year_states_its_count_not_zero(tmp_path, capsys):
    path = hongze_2023_saying("2023年，我局收到政府信息公开申请21件，均按时答复，未收到申请人投诉。", tmp_path)
    status, printed = import_then_check(path, tmp_path / "out", capsys)
    assert "文表.申请数" not in printed, printed


def test_a_count_that_differs_is_named_with_its_own_number(tmp_path, capsys):
    path = hongze_2023_saying("2023年，我局收到政府信息公开申请17件，未收到延期申请。", tmp_path)
    status, printed = import_then_check(path, tmp_path / "out", capsys)
    [said] = [line for line in printed.splitlines() if "文表.申请数" in line]
    assert "正文所述本年新收政府信息公开申请为 17，与表三的 21 不符" in said


# ---- the lead is kept, and its statistics period checked --------------------------------------

def test_a_real_pdfs_lead_is_kept_in_the_record(tmp_path, capsys):
    """hongze-2024.pdf opens `本报告由…编制` with its statistics period and whom to ask."""
    import_then_check(DOCUMENTS / "hongze-2024.pdf", tmp_path / "out", capsys)
    record = (tmp_path / "out" / "hongze-2024.yaml").read_text(encoding="utf-8")
    [contact] = [line for line in record.splitlines() if line.startswith("contact:")]
    assert "本报告由淮安市洪泽区人民政府办公室根据《中华人民共和国政府信息公开条例》" in contact
    assert "报告中所列数据统计期限自2024年1月1日起至2024年12月31日止" in contact
    assert "0517-87290606" in contact


def test_a_statistics_period_of_last_year_in_the_lead_is_found(tmp_path, capsys):
    text = (SAMPLES / "raw" / "hongze-2024.txt").read_text(encoding="utf-8")
    period = "统计期限自 2024 年 1 月 1 日\n起至 2024 年 12 月 31 日止"
    assert text.count(period) == 1
    (tmp_path / "hongze-2024.txt").write_text(text.replace(period, period.replace("2024", "2023")), encoding="utf-8")
    status, printed = import_then_check(tmp_path / "hongze-2024.txt", tmp_path / "out", capsys)
    [stale] = [line for line in printed.splitlines() if "跨年.年份未更新" in line]
    assert "开头段落把2023年当作报告年度（统计期限）" in stale


# ---- a title as pages print it, or lost ----------------------------------------------------------

GOLD = ROOT / "benchmarks" / "gold" / "reports"


@pytest.mark.parametrize("page, said", [
    ("longquan-xijie-2019", "西街街道 2019年度"),         # `2019年西街街道` / `政府信息公开工作年度报告`
    ("guyang-xiashihao-2022", "下湿壕镇政府 2022年度"),   # `…镇政府2022年信息公开工作年度报告`
    ("nanping-szf-2012", "（机关未识别） 2012年度"),       # no title in the copy, `本报告由…编制` in its lead
    ("lishui-szf-2017", "（机关未识别） 2017年度"),
])
def test_a_pages_title_as_printed_or_lost_still_gives_the_report(tmp_path, capsys, page, said):
    assert main(["import", str(GOLD / f"{page}.txt"), "-o", str(tmp_path)]) == 0
    assert said in capsys.readouterr().out


def test_a_title_quoted_in_a_lead_copied_from_last_year_does_not_set_the_year(tmp_path, capsys):
    """zoucheng-tianhuang-2021: `我镇认真编制了《田黄镇2020年政府信息公开工作年度报告》`, its
    statistics period 2021: a 2021 report whose lead speaks of 2020."""
    status, printed = import_then_check(GOLD / "zoucheng-tianhuang-2021.txt", tmp_path, capsys)
    assert "2021年度" in printed
    [stale] = [line for line in printed.splitlines() if "跨年.年份未更新" in line]
    assert "开头段落把2020年当作报告年度（公布的报告年度）" in stale


def test_a_pages_cells_joined_by_bars_are_read_as_rows(capsys):
    """guyang-xiashihao-2022 prints 表二 as `规章 | 0 | 0 | 0 |`: each row's numbers, not three
    numbers belonging to no row."""
    assert main(["import", str(GOLD / "guyang-xiashihao-2022.txt"), "--csv"]) == 0
    printed = capsys.readouterr()
    assert "二,规章,本年制发件数,0" in printed.out
    assert "表二中没有读到“规章”行" not in printed.err


# ---- parts whose headings are missing ----------------------------------------------------------

def test_a_report_without_part_headings_has_its_parts_read_and_its_headings_missing(tmp_path, capsys):
    """hetang-guihua-2019 prints no part headings: its lead, a paragraph of 总体情况, then 表二
    from `第二十条第(一)项` with 政府集中采购 left blank. The paragraph is part 一 and 表二 is read;
    the headings are missing, not the parts."""
    status, printed = import_then_check(GOLD / "hetang-guihua-2019.txt", tmp_path, capsys)
    record = yaml.safe_load((tmp_path / "hetang-guihua-2019.yaml").read_text(encoding="utf-8"))
    assert record["parts"]["一"].startswith("2019年,桂花街道办事处在区委、区政府的正确领导下")
    assert record["contact"].endswith("统计期限自2019年1月1日起至2019年12月31日止。")
    assert record["tables"]["二"]["第二十条第（一）项"]["规章"]["本年新制作数量"] == 0
    assert "第一部分“一、总体情况”没有内容" not in printed
    assert "表二全部空白" not in printed
    [blank] = [line for line in printed.splitlines() if "数值.未填" in line]
    assert "表二有 2 个单元格空白" in blank and "第二十条第（九）项/政府集中采购" in blank
    capsys.readouterr()
    assert main(["import", str(GOLD / "hetang-guihua-2019.txt"), "--csv"]) == 0
    notes = capsys.readouterr().err
    assert "没有找到第一部分的标题“一、总体情况”" in notes and "没有找到第二部分的标题“二、主动公开政府信息情况”" in notes


# ---- digits no split can read are unknown, not blank -------------------------------------------

@pytest.mark.parametrize("rule_row, blanks", [("规章000", 0), ("规章 — 0 0", 1)])
def test_rows_the_import_could_not_read_are_not_the_reports_blanks(tmp_path, capsys, rule_row, blanks):
    """pingtan-2019 as crawled runs 表二's cells together (`规范性文件898989`, `行政许可3960181`):
    no sum along those rows decides the split, so their numbers are unknown, and said so
    (导入.拆分不确定), not blank cells of the report (数值.未填). A cell printed blank (`—`) still is."""
    page = (SAMPLES / "raw" / "pingtan-2019.txt").read_text(encoding="utf-8")
    assert page.count("规章000规范性文件") == 1
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "pingtan-2019.txt").write_text(
        page.replace("规章000规范性文件", f"{rule_row}规范性文件"), encoding="utf-8")
    main(["audit", str(tmp_path / "pages"), "-o", str(tmp_path / "audit")])
    report = (tmp_path / "audit" / "reports" / "pingtan-2019.html").read_text(encoding="utf-8")
    assert "表二“规范性文件”行的数字连在一起（898989）" in report
    assert ("数值.未填" in report) == bool(blanks)
    assert (f"表二有 {blanks} 个单元格空白" in report) == bool(blanks)


# ---- the unit that filled in the table -----------------------------------------------------------

SHANGQIU = ROOT / "tests" / "fixtures" / "seeds" / "003_78f1c78ca45ce1dc.txt"


def test_the_unit_filling_in_the_table_is_held_to_the_reports_agency(tmp_path, capsys):
    """shangqiu-jgswzx-2019 (seed 003) signs nothing at its end; its 统计表 says
    `填报单位(盖章):商丘市机关事务服务中心` under the title `商丘市机关事务中心2019年度…`."""
    status, printed = import_then_check(SHANGQIU, tmp_path / "a", capsys)
    [identity] = [line for line in printed.splitlines() if "身份.一致" in line]
    assert "“商丘市机关事务服务中心”与报告机关“商丘市机关事务中心”不一致" in identity
    same = tmp_path / "same.txt"
    same.write_text(SHANGQIU.read_text(encoding="utf-8").replace("填报单位(盖章):商丘市机关事务服务中心",
                                                                  "填报单位(盖章):商丘市机关事务中心"), encoding="utf-8")
    status, printed = import_then_check(same, tmp_path / "b", capsys)
    assert "身份.一致" not in printed
