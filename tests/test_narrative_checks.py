"""The checks evaluators cite that no table shows (issue #26, item 2), each on published reports
that have the fault and that do not: table 二 across years, figures in the narrative that do not
add up, the lead's count of parts, a superseded basis cited (checks/narrative.py and
checks/tables.py; their patterns in the editions' YAML)."""
import datetime as dt
import re

import pytest

from conftest import ROOT, SAMPLES
from nianbao import checks, importer
from nianbao.cli import main

TODAY = dt.date(2026, 12, 6)
GOLD = ROOT / "benchmarks" / "gold" / "reports"


def found(path, rule: str, previous=None):
    record = importer.read(path).record
    return [f for f in checks.check(record, previous, today=TODAY) if f.rule == rule]


# ---- table 二 across years -------------------------------------------------------------------

def test_documents_in_force_carry_over_from_last_year(tmp_path, capsys):
    """hongze-2023 has 5 行政规范性文件 in force; 2024 issued 3, repealed 0 and has 8: as it
    should. Printed as 9, `nianbao check` of both years asks to check it."""
    text = (SAMPLES / "raw" / "hongze-2024.txt").read_text(encoding="utf-8")
    row = re.compile(r"(行政规范性文件\s+3\s+0\s+)8")
    assert len(row.findall(text)) == 1
    for name, changed in (("consistent", text), ("nine", row.sub(r"\g<1>9", text))):
        folder = tmp_path / name
        folder.mkdir()
        (folder / "hongze-2024.txt").write_text(changed, encoding="utf-8")
        (folder / "hongze-2023.txt").write_bytes((SAMPLES / "raw" / "hongze-2023.txt").read_bytes())
        assert main(["import", str(folder / "hongze-2023.txt"), str(folder / "hongze-2024.txt"),
                     "-o", str(folder / "out")]) == 0
        capsys.readouterr()
        main(["check", str(folder / "out" / "hongze-2023.yaml"), str(folder / "out" / "hongze-2024.yaml")])
        printed = [line for line in capsys.readouterr().out.splitlines() if "表二.跨年现行有效" in line]
        if name == "consistent":
            assert printed == []
        else:
            [line] = printed
            assert "2023年报告的现行有效 5 件，加本年制发 3 件、减本年废止 0 件应为 8 件，本年为 9 件" in line


# ---- figures in the narrative ------------------------------------------------------------------

def test_a_total_its_items_exceed_is_found():
    """lintao-xintian-2022: `全年主动公开政务信息382条，包括政府网站35条，…80条，…微信公众号2443条`."""
    [wrong] = found(GOLD / "lintao-xintian-2022.txt", "正文.数字不合")
    assert wrong.part == "一" and wrong.expected == "382条" and wrong.found == "35+80+2443=2558条"


def test_a_list_naming_the_rest_must_make_up_the_total():
    """pingtan-2019: 2599 条, 其中 eleven kinds, the last `其他应主动公开政府信息856条`, adding up to 2533."""
    [wrong] = found(SAMPLES / "raw" / "pingtan-2019.txt", "正文.数字不合")
    assert wrong.expected == "2599条" and wrong.found.endswith("=2533条")


def test_outcomes_that_do_not_make_up_the_applications_received(tmp_path):
    """The issue's case: 21 received, outcomes listed and one carried over adding up to 19."""
    text = (SAMPLES / "raw" / "hongze-2023.txt").read_text(encoding="utf-8")
    said = "2023 年全区受理政府信息公开申请 21 件，"
    assert text.count(said) == 1
    listed = said + "其中予以公开 4 件、无法提供 13 件、不予处理 1 件，结转下年度 1 件，"
    (tmp_path / "a.txt").write_text(text.replace(said, listed), encoding="utf-8")
    [wrong] = found(tmp_path / "a.txt", "正文.数字不合")
    assert wrong.found == "4+13+1+1=19件"


@pytest.mark.parametrize("page", ["zhangping-szfb-2021", "cqsdj-zhen-2022", "taojiang-songmutang-2022",
                                  "daishan-wsjkj-2021", "longquan-xijie-2019"])
def test_lists_that_add_up_or_name_a_few_are_not_faults(page):
    """141 = 16+24+…+9 (zhangping), 171 (cqsdj), 32 (taojiang); `1867余条…其中人事信息28条…`
    (daishan) names a few of an approximate total; 373 = 84+52+237 (longquan)."""
    assert found(GOLD / f"{page}.txt", "正文.数字不合") == []


# ---- the lead's count of parts -------------------------------------------------------------------

def test_a_lead_that_says_six_parts_and_lists_five():
    """zoucheng-tianhuang-2021: `本年度报告由…总体情况,…,…改进措施等六部分组成` (five listed)."""
    [wrong] = found(GOLD / "zoucheng-tianhuang-2021.txt", "导语.部分数")
    assert wrong.part == "contact" and wrong.found == "列出 5 个" and "说报告共 6 个部分，只列出 5 个" in wrong.message


@pytest.mark.parametrize("page", ["weixi-wsjkj-2021", "lintao-xintian-2022", "dongsheng-rsj-2021",
                                  "zhangping-szfb-2021", "jinan-qzf-2016", "mulan-sjj-2021",
                                  "yungang-swj-2022", "shanghai-szf-2022"])
def test_a_lead_whose_count_and_list_agree(page):
    """Six listed and six said, `行政复议、行政诉讼` being one part (weixi, lintao, dongsheng), the
    parts in quotes (zhangping), the seven of the 2008 format (jinan), six `方面` (mulan,
    yungang), and six listed after `全文包括` with no count, the last `以及其他需要报告的事项`
    (shanghai)."""
    assert found(GOLD / f"{page}.txt", "导语.部分数") == []


def test_a_lead_that_counts_fewer_parts_than_the_report_has(tmp_path):
    text = (SAMPLES / "raw" / "huaian-2024.txt").read_text(encoding="utf-8")
    said = "报告所列统计期限"
    assert text.count(said) == 1
    (tmp_path / "a.txt").write_text(text.replace(said, "本报告由总体情况、主动公开政府信息情况等两个部分组成。" + said),
                                    encoding="utf-8")
    [wrong] = found(tmp_path / "a.txt", "导语.部分数")
    assert "说报告共 2 个部分，报告实有 6 个" in wrong.message



def test_a_lead_listing_the_old_formats_parts_without_a_count():
    """wuqi-zhouwan-2021: `本报告由概述、主动公开政府信息情况、…收费及减免情况、存在的主要问题和
    改进情况等部分组成`, five parts of the 2008 format and no count, after `由周湾镇人民政府编制`."""
    [wrong] = found(GOLD / "wuqi-zhouwan-2021.txt", "导语.部分数")
    assert wrong.part == "contact" and (wrong.expected, wrong.found) == ("列出 6 个部分", "列出 5 个")
    assert "本报告由概述" in wrong.excerpt



def test_a_lead_listing_five_parts_after_the_whole_text_includes():
    """anhui-tjj-2021: `全文包括总体情况、…、存在的主要问题及改进情况。`: no 其他需要报告的事项."""
    [wrong] = found(GOLD / "anhui-tjj-2021.txt", "导语.部分数")
    assert (wrong.expected, wrong.found) == ("列出 6 个部分", "列出 5 个") and wrong.excerpt.startswith("全文包括")


def test_a_count_of_aspects_is_a_count_of_parts(tmp_path):
    """mulan-sjj-2021 lists six `等六个方面`; said five, the list no longer agrees."""
    text = (GOLD / "mulan-sjj-2021.txt").read_text(encoding="utf-8")
    assert text.count("等六个方面") == 1
    (tmp_path / "a.txt").write_text(text.replace("等六个方面", "等五个方面"), encoding="utf-8")
    [wrong] = found(tmp_path / "a.txt", "导语.部分数")
    assert "说报告共 5 个部分，只列出 6 个" in wrong.message

def test_a_lead_listing_the_six_parts_without_a_count(tmp_path):
    text = (SAMPLES / "raw" / "huaian-2024.txt").read_text(encoding="utf-8")
    said = "报告所列统计期限"
    (tmp_path / "a.txt").write_text(text.replace(said, (
        "本报告由总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、政府信息公开行政复议、"
        "行政诉讼情况、存在的主要问题及改进情况、其他需要报告的事项等部分组成。") + said, 1), encoding="utf-8")
    assert found(tmp_path / "a.txt", "导语.部分数") == []

# ---- a superseded basis ---------------------------------------------------------------------------

@pytest.mark.parametrize("page, cited", [
    ("shanxi-wsb-2021", "关于政府信息公开工作年度报告有关事项的通知"),  # …的通知》(国办公开办函〔2019〕60号)
    ("gaoping-jianning-2021", "关于政府信息公开工作年度报告有关事项的通知"),
])
def test_a_2021_report_citing_the_2019_format_notice(page, cited):
    [old] = found(GOLD / f"{page}.txt", "依据.过时")
    assert old.found == cited and "2019年的年度报告格式通知" in old.message


def test_a_2019_report_citing_the_2008_regulations():
    """Seed 003, a 2019 report in the legacy table: `(国务院令第492号)`."""
    [old] = found(ROOT / "tests" / "fixtures" / "seeds" / "003_78f1c78ca45ce1dc.txt", "依据.过时")
    assert old.found == "国务院令第492号"


@pytest.mark.parametrize("path", [SAMPLES / "raw" / "hongze-2023.txt", GOLD / "dttz-xfj-2021.txt",
                                  GOLD / "jinan-qzf-2016.txt"])
def test_the_current_basis_is_no_fault(path):
    """The 2019 条例 (国令第711号) and the 2021 notice (dttz); a 2016 report under the 2008 条例."""
    assert found(path, "依据.过时") == []
