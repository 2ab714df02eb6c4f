"""More checks evaluators cite (issue #26, item 2), each on a published or realistic report that
has the fault and one that does not: a local pack's threshold for a report copied from last
year (宿迁), counts implausible against last year and the batch's peers, one figure stated
twice with two values, a report published as pictures only, the contact line's address and
phone as written, and a web page's own 发布日期 for the deadline."""
import datetime as dt

from conftest import SAMPLES
from nianbao import checks, importer

TODAY = dt.date(2026, 12, 6)


def hongze(year: int):
    return importer.read(SAMPLES / "raw" / f"hongze-{year}.txt").record


# ---- a pack's threshold: 宿迁 deducts for a report more than half the same as last year's ----

def test_the_suqian_pack_flags_a_report_more_than_half_last_year_s():
    """hongze-2024 wrote its report anew (46% of its wording is 2023's): no finding. With
    part 一's last three paragraphs (信息管理, 平台建设, 监督保障) left as 2023 had them, 57% is: the
    pack says so, while the edition's 80% a part does not."""
    last, this = hongze(2023), hongze(2024)
    suqian = checks.packs(["suqian"])
    copied = [f for f in checks.check(this, last, today=TODAY, packs=suqian) if "雷同" in f.rule]
    assert copied == []
    this.parts["一"] = "\n\n".join(this.parts["一"].split("\n\n")[:3] + last.parts["一"].split("\n\n")[4:])
    copied = [f for f in checks.check(this, last, today=TODAY, packs=suqian) if "雷同" in f.rule]
    assert [(f.rule, f.severity, f.found, f.expected) for f in copied] == [("宿迁.与上年雷同", "warning", "57%", "少于 50%")]
    assert copied[0].message.startswith("正文（第一、五、六部分）与2023年报告有 57% 相同，超过宿迁市考核允许的 50%")
    assert "加强区政府门户网站及政务新媒体日常管理" in copied[0].excerpt
    assert not [f for f in checks.check(this, last, today=TODAY) if "雷同" in f.rule]  # without the pack
