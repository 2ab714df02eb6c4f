"""More checks evaluators cite (issue #26, item 2), each on a published or realistic report that
has the fault and one that does not: a local pack's threshold for a report copied from last
year (宿迁), counts implausible against last year and the batch's peers, one figure stated
twice with two values, a report published as pictures only, the contact line's address and
phone as written, and a web page's own 发布日期 for the deadline."""
import datetime as dt

import pytest

from conftest import ROOT, SAMPLES
from nianbao import audit, checks, importer, intake
from nianbao.cli import main
from nianbao.importer.sources import text_kind
from test_import_documents import DOCUMENTS, needs_tesseract, scan

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


# ---- counts to look at twice: against last year, against the batch's peers ----------------

def hongze_2024_with(permits: str):
    """hongze-2024 as published, its 行政许可 decisions (9487) printed otherwise."""
    text = (SAMPLES / "raw" / "hongze-2024.txt").read_text(encoding="utf-8")
    assert text.count("行政许可                      9487") == 1
    return importer.from_text(text.replace("行政许可                      9487", f"行政许可                      {permits}"),
                              "lines").record


def scale(record, last):
    return [f for f in checks.check(record, last, today=TODAY) if f.rule == "跨年.数量突变"]


def test_a_count_seventeen_times_last_year_s_is_information():
    """洪泽区 decided 550 行政许可 in 2023 and printed 9487 for 2024; its applications went
    21 → 95 (4.5 times: under the factor)."""
    last, this = hongze(2023), hongze(2024)
    [found] = scale(this, last)
    assert (found.severity, found.table, found.row, found.column) == ("info", "二", "第二十条第（五）项/行政许可", "本年处理决定数量")
    assert found.message == "表二“行政许可”行“本年处理决定数量”列为 9487，2023年为 550，是上年的 17.2 倍：请核实是否填错（供参考）"
    assert checks.check(this, last, today=TODAY)[-1] == found  # information comes last
    assert scale(hongze_2024_with("2500"), last) == []  # 4.5 times: no finding
    assert [f.found for f in scale(hongze_2024_with("0"), last)] == ["0"]  # 550 → 0 is a change
    assert "降为 0" in scale(hongze_2024_with("0"), last)[0].message


def test_a_blank_slash_or_wu_is_not_0_and_never_compared():
    last = hongze(2023)
    for printed in ("/", "无", "—"):
        record = hongze_2024_with(printed)
        assert record.value("二", "第二十条第（五）项/行政许可", "本年处理决定数量") is None
        assert scale(record, last) == []


def test_a_0_where_the_batch_s_peers_count_hundreds_is_information(capsys):
    """The demo batch of 2023: the data bureau decided no 行政许可 and no 行政处罚 while the
    three other bureaus count 356–2030 and 78–2987; the city government's report leaves them
    blank and is no peer. 行政强制 (median 12) and applications (42) are no news."""
    records = [intake.read(path) for path in sorted((ROOT / "data" / "2023").glob("*.yaml"))]
    found = checks.peer_zeros(records)
    assert list(found) == [("shili-sjzyglj", 2023)]
    assert [(f.rule, f.severity, f.row, f.expected) for f in found[("shili-sjzyglj", 2023)]] == [
        ("批次.零值异常", "info", "第二十条第（五）项/行政许可", "同批次中位数 1302"),
        ("批次.零值异常", "info", "第二十条第（六）项/行政处罚", "同批次中位数 1204")]
    main(["check", *(str(ROOT / "data" / "2023" / f"{r.agency_id}.yaml") for r in records)])
    out = capsys.readouterr().out
    assert "示例市数据资源管理局 2023年度（2021年版格式（国办公开办函〔2021〕30号））：错误 0，提示 0，参考 2" in out
    assert "参考 批次.零值异常  表二 · 第二十条第（五）项/行政许可 · 本年处理决定数量：表二“行政许可”行“本年处理决定数量”列为 0，" \
           "本批次另有 3 份同年度报告填了此项，中位数为 1302：请核实是否漏填（供参考）" in out
    # the bureau's cells printed `/` (blank): no 0 to question; with two peers only: too few
    data = next(r for r in records if r.agency_id == "shili-sjzyglj")
    for row in ("第二十条第（五）项/行政许可", "第二十条第（六）项/行政处罚"):
        data.tables["二"][row]["本年处理决定数量"] = None
    assert checks.peer_zeros(records) == {}
    assert checks.peer_zeros([r for r in records if r.agency_id != "shili-jtysj"][:3]) == {}


# ---- one figure stated twice with two values ---------------------------------------------

def hongze_2024_saying(problems: str):
    """hongze-2024 as published (part 一: `受理政府信息公开申请 17 件`), its part 五 opening
    its problems with `problems`."""
    text = (SAMPLES / "raw" / "hongze-2024.txt").read_text(encoding="utf-8")
    assert text.count("仍存在一些不足，主要是：") == 1
    return importer.from_text(text.replace("仍存在一些不足，主要是：", f"仍存在一些不足。{problems}主要是："), text_kind(text)).record


def restated(record):
    return [f for f in checks.check(record, today=TODAY) if f.rule == "正文.前后不一"]


def test_one_figure_stated_twice_with_two_values():
    [found] = restated(hongze_2024_saying("全年共受理政府信息公开申请19件，部分答复临近法定期限，"))
    assert (found.severity, found.part, found.expected, found.found) == ("warning", "一", "前后一致（17）", "17、19")
    assert found.message == ("正文两处所述本年新收政府信息公开申请不一致：第一部分“一、总体情况”“受理政府信息公开申请17件”为 17；"
                             "第五部分“五、存在的主要问题及改进情况”“受理政府信息公开申请19件”为 19")
    assert found.excerpt.startswith("2024年，区政府办代表区政府受理政府信息公开申请17件，均已在法定期限内予以答复。 …… "
                                    "全年共受理政府信息公开申请19件，部分答复临近法定期限，")


def test_a_figure_restated_alike_or_of_another_year_is_no_fault():
    assert restated(hongze(2024)) == []
    assert restated(hongze_2024_saying("全年受理政府信息公开申请17件，")) == []
    assert restated(hongze_2024_saying("较2023年受理政府信息公开申请21件有所减少，")) == []
    assert restated(hongze_2024_saying("上年受理申请21件，")) == []


# ---- the contact paragraph as written -------------------------------------------------------

GOLD = ROOT / "benchmarks" / "gold" / "reports"


def contact_findings(record):
    return [f for f in checks.check(record, today=TODAY) if f.rule == "联系方式.格式"]


def test_published_addresses_and_phones_as_they_should_be_written_say_nothing():
    """Pages of the gold set giving http://www.daishan.gov.cn/, http://wsb.shanxi.gov.cn,
    …/bmxxgknb#tp, 0580-4472018, 0578—2090823 (an em dash), 023-76662359; 淮安 and 洪泽."""
    for name in ("daishan-wsjkj-2021", "shanxi-wsb-2021", "weixi-wsjkj-2021", "zunyi-rsj-2021", "lishui-szf-2017",
                 "xiushan-wsjkw-2021", "laifeng-zwfwj-2021", "zoucheng-tianhuang-2021"):
        assert contact_findings(importer.read(GOLD / f"{name}.txt").record) == [], name
    assert contact_findings(importer.read(SAMPLES / "raw" / "huaian-2024.txt").record) == []


def test_a_phone_published_without_its_area_code():
    """龙泉市西街街道's 2019 page: `电话:7128700`, 龙泉's 0578 left out."""
    [found] = contact_findings(importer.read(GOLD / "longquan-xijie-2019.txt").record)
    assert (found.part, found.found, found.message) == ("contact", "7128700", "开头段落的电话“7128700”写法有误：没有区号，外地读者无法拨打")


def test_a_phone_with_a_digit_too_many_and_a_misprinted_address_are_named():
    """淮安's lead as published, its phone printed with a digit twice and the address of its
    website added as offices misprint it. (A digit short is no finding: after a 4-digit area
    code 7 digits are a number too, 岱山's 0580-4472018.)"""
    text = (SAMPLES / "raw" / "huaian-2024.txt").read_text(encoding="utf-8")
    assert text.count("电话：0517-83605210") == 1
    text = text.replace("电话：0517-83605210", "电话：0517-836052210").replace(
        "如对本报告有疑问", "本报告电子版可在“中国淮安”网站（http//www.huaian.gov.cn）查阅。如对本报告有疑问")
    found = contact_findings(importer.from_text(text, text_kind(text)).record)
    assert [(f.part, f.found, f.message) for f in found] == [
        ("contact", "http//www.huaian.gov.cn", "开头段落的网址“http//www.huaian.gov.cn”写法有误：协议名后应为“://”"),
        ("contact", "0517-836052210", "开头段落的电话“0517-836052210”写法有误：区号 0517 之后应为 7或8 位号码，实为 9 位")]
    text = text.replace("电话：0517-836052210", "电话：010-6605221")  # a Beijing number takes 8
    assert [f.found for f in contact_findings(importer.from_text(text, text_kind(text)).record)] == [
        "http//www.huaian.gov.cn", "010-6605221"]



def test_a_bracket_the_contact_paragraph_leaves_open_is_named_once():
    """淮安's `（地址：…电子邮箱：hazwgkc@163.com）` with its closing bracket lost: 文字.规范 reads
    the lead, so 联系方式.格式 does not name it a second time."""
    text = (SAMPLES / "raw" / "huaian-2024.txt").read_text(encoding="utf-8").replace("hazwgkc@163.com）。", "hazwgkc@163.com。")
    found = [(f.rule, f.message) for f in checks.check(importer.from_text(text, text_kind(text)).record, today=TODAY)
             if f.part == "contact"]
    assert found == [("文字.规范", "成对标点 （…） 不配对：（ 3 个，） 2 个")]


# ---- a report published as pictures ------------------------------------------------------

@pytest.mark.slow  # Tesseract reads a page: seconds
@needs_tesseract
def test_a_report_published_as_scanned_pages_is_an_accessibility_finding(tmp_path):
    """洪泽区's 2024 PDF as published (a text layer) and its first page as a scanner gives it,
    audited side by side: the scan alone is named."""
    folder = tmp_path / "published"
    folder.mkdir()
    (folder / "hongze-2024.pdf").write_bytes((DOCUMENTS / "hongze-2024.pdf").read_bytes())
    scan(DOCUMENTS / "hongze-2024.pdf", [1], folder / "hongze-2024-scan.pdf")
    entries = {entry.file.name: entry for entry in audit.audit(folder, tmp_path / "audit", today=TODAY)}
    [found] = [f for f in entries["hongze-2024-scan.pdf"].findings if f.rule == "发布.图片版"]
    assert (found.severity, found.part, found.found) == ("warning", "published", "图片版（经文字识别读取）")
    assert found.message.startswith("报告以图片形式发布（扫描件或图片，没有文字层），读屏软件、检索和复制都无法使用")
    assert not [f for f in entries["hongze-2024.pdf"].findings if f.rule == "发布.图片版"]
    page = (tmp_path / "audit" / entries["hongze-2024-scan.pdf"].page).read_text(encoding="utf-8")
    assert "发布.图片版" in page


def test_only_a_file_read_as_pictures_is_one():
    record = hongze(2024)
    assert [f.rule for f in checks.check(record, today=TODAY, layout="scan") if f.rule == "发布.图片版"] == ["发布.图片版"]
    for layout in ("", "pdf", "html", "layout", "docx"):
        assert not [f for f in checks.check(record, today=TODAY, layout=layout) if f.rule == "发布.图片版"]


# ---- a web page's own 发布日期 for the deadline -----------------------------------------------

PAGE = ROOT / "tests" / "fixtures" / "published" / "huaian-2024.html"
PRINTED = "<span>发布日期：2025-01-20</span>"
META = '<meta name="PubDate" content="2025-01-20 16:35">'


def page_saying(tmp_path, printed: str, meta: str = META):
    """淮安市人民政府's 2024 report as its page was published (signed 2025年1月20日, printed
    发布日期：2025-01-20, `<meta name="PubDate">` the same), its dates as given."""
    page = PAGE.read_text(encoding="utf-8")
    assert page.count(PRINTED) == 1 and page.count(META) == 1
    path = tmp_path / "huaian-2024.html"
    path.write_text(page.replace(PRINTED, printed).replace(META, meta), encoding="utf-8")
    return importer.read(path)


def deadline(imported):
    return [(f.part, f.found) for f in checks.check(imported.record, today=TODAY) if f.rule == "法定.公开时限"]


def test_the_page_s_own_publication_date_is_judged_against_the_deadline(tmp_path):
    on_time = page_saying(tmp_path, PRINTED)
    assert (on_time.record.published, on_time.origins["published"]) == ("2025年1月20日", "“发布日期”行")
    assert deadline(on_time) == []
    # signed in January, put on the page in April: a government's report is due by 31 March
    for printed in ("<span>发布日期：2025/04/08</span>", "<span>发布时间：2025.04.08 09:30</span>",
                    "<span>【发布时间：2025-04-08】</span>"):
        late = page_saying(tmp_path, printed)
        assert late.record.date == "2025年1月20日"
        assert deadline(late) == [("published", "2025年4月8日")], printed


def test_a_page_printing_no_date_is_dated_by_its_pubdate_meta(tmp_path):
    late = page_saying(tmp_path, "", '<meta name="PubDate" content="2025-04-08 16:35">')
    assert (late.record.published, late.origins["published"]) == ("2025年4月8日", '网页 <meta name="PubDate">')
    assert deadline(late) == [("published", "2025年4月8日")]
    printed = page_saying(tmp_path, "<span>发布日期：2025-01-20</span>", '<meta name="PubDate" content="2025-04-08">')
    assert printed.record.published == "2025年1月20日" and deadline(printed) == []  # what the page prints comes first
    undated = page_saying(tmp_path, "", "")
    assert undated.record.published == "" and deadline(undated) == []  # the 落款 2025年1月20日: in time


@pytest.mark.slow  # an audit: its worker pool
def test_the_audit_of_a_folder_names_a_0_its_other_reports_do_not_have(tmp_path):
    """Four district and city reports of 2024 in one folder, two of them as 洪泽区's template
    filled in by other districts: the one printing 0 行政许可 beside 9487, 447228 and 6120."""
    folder = tmp_path / "published"
    folder.mkdir()
    hongze_text = (SAMPLES / "raw" / "hongze-2024.txt").read_text(encoding="utf-8")
    (folder / "hongze-2024.txt").write_text(hongze_text, encoding="utf-8")
    (folder / "huaian-2024.txt").write_bytes((SAMPLES / "raw" / "huaian-2024.txt").read_bytes())
    for district, permits in (("淮阴区", "6120"), ("清江浦区", "0")):
        (folder / f"{district}-2024.txt").write_text(hongze_text.replace("洪泽区", district).replace(
            "行政许可                      9487", f"行政许可                      {permits}"), encoding="utf-8")
    entries = {entry.file.name: entry for entry in audit.audit(folder, tmp_path / "audit", today=TODAY, jobs=1)}
    peer = {name: [f for f in entry.findings if f.rule == "批次.零值异常"] for name, entry in entries.items()}
    assert {name: len(found) for name, found in peer.items()} == {
        "hongze-2024.txt": 0, "huaian-2024.txt": 0, "淮阴区-2024.txt": 0, "清江浦区-2024.txt": 1}
    [found] = peer["清江浦区-2024.txt"]
    assert (found.severity, found.row, found.expected) == ("info", "第二十条第（五）项/行政许可", "同批次中位数 9487")
