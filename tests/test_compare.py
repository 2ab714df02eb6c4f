"""The year-on-year page: each part beside last year's with the changed passages marked, and
the tables' changed cells, on the demo agencies."""
import json

from bs4 import BeautifulSoup

from conftest import ROOT
from nianbao import checks, intake
from nianbao.batch.folder import Outcome
from nianbao.checks.evaluation import copied_share
from nianbao.desk import compare
from nianbao.desk.compare import Piece
from nianbao.desk.index import write_histories

RECEIVED = "一、本年新收政府信息公开申请数量"
CARRIED = "二、上年结转政府信息公开申请数量"


def demo(year, agency="shili-zrzyghj"):
    return intake.read(ROOT / f"data/{year}/{agency}.yaml")


def section(comparison, title):
    return next(s for s in comparison.sections if s.title == title)


def row_of(part, opening):
    """The row whose this-year paragraph begins with `opening`."""
    return next(row for row in part.rows if row.this and row.this[0].text.startswith(opening))


def marked(pieces):
    return [piece.text for piece in pieces if piece.changed]


def histories(tmp_path, records):
    """The history pages write_histories makes from these records' record.json files."""
    out = tmp_path / "outputs"
    outcomes = []
    for record in records:
        folder = f"{record.year}/{record.agency_id}"
        (out / folder).mkdir(parents=True)
        (out / folder / "record.json").write_text(json.dumps(record.to_dict(), ensure_ascii=False), encoding="utf-8")
        outcomes.append(Outcome(f"params/{folder}.yaml", record.agency_id, record.year, "ok", folder))
    made = write_histories(out, outcomes)
    return out / "history", made


def test_a_phrase_changed_marks_that_phrase_only():
    this = demo(2023)
    this.parts["一"] = this.parts["一"].replace("“征地信息”专栏", "“耕地保护”专栏")
    part = section(compare.compare(demo(2022), this), "一、总体情况")
    platform = row_of(part, "（四）平台建设")
    assert platform.last == (Piece("（四）平台建设。完善门户网站“规划公示”“", False), Piece("征地信息", True),
                             Piece("”专栏。", False))
    assert platform.this == (Piece("（四）平台建设。完善门户网站“规划公示”“", False), Piece("耕地保护", True),
                             Piece("”专栏。", False))
    # a number is marked whole (9 → 7, not a digit of it), and the words between stay unmarked
    oversight = row_of(part, "（五）监督保障")
    assert marked(oversight.last) == ["9", "4"] and marked(oversight.this) == ["7", "6"]
    assert row_of(part, "（三）政府信息管理").this == (Piece("（三）政府信息管理。按年度对本局规范性文件进行清理，及时公开清理结果。", False),)
    assert 0.9 < part.unchanged < 1 and not part.same


def test_an_inserted_paragraph_does_not_shift_the_pairs_after_it():
    this = demo(2023)
    this.parts["一"] = this.parts["一"].replace("\n\n（二）", "\n\n本年新设政务公开专区。\n\n（二）")
    rows = section(compare.compare(demo(2022), this), "一、总体情况").rows
    assert [(marked(row.last) if row.last else None, marked(row.this)) for row in rows[1:4]] == [
        (["420"], ["460"]), (None, ["本年新设政务公开专区。"]), (["71", "5"], ["64", "2"])]


def test_an_unchanged_part_says_so(tmp_path):
    part = section(compare.compare(demo(2022), demo(2023)), "六、其他需要报告的事项")
    assert part.same and part.unchanged == 1
    assert all(not piece.changed for row in part.rows for piece in row.last + row.this)
    assert copied_share("甲乙丙丁。", "甲乙丙丁。") == 1 and copied_share("甲", "") is None
    folder, _ = histories(tmp_path, [demo(2022), demo(2023)])
    page = BeautifulSoup((folder / "shili-zrzyghj-2023.html").read_text(encoding="utf-8"), "html.parser")
    summaries = {s.h2.text: s.select_one(".summary").text for s in page.select("section")}
    assert summaries["六、其他需要报告的事项"] == "与上年完全相同。"
    # 2023's part 一 is 2022's with its numbers updated: by wording (numbers not counted) all of it
    assert summaries["一、总体情况"].startswith("与上年相同的文字占本年的 100%")


def test_the_page_and_the_copy_finding_give_one_share_for_one_pair(tmp_path):
    # last year's part 一 with one of its paragraphs rewritten: a copy all the same
    last, this = demo(2022), demo(2023)
    paragraphs = this.parts["一"].split("\n\n")
    paragraphs[3] = "（三）政府信息管理。建立公开前合法性审查台账，每季度抽查已公开信息的公开属性认定，发现问题当月整改。"
    this.parts["一"] = "\n\n".join(paragraphs)
    copied = next(f for f in checks.check(this, last) if f.rule == "跨年.正文雷同" and f.part == "一")
    page = section(compare.compare(last, this), "一、总体情况")
    assert page.unchanged == copied_share(last.parts["一"], this.parts["一"]) < 1
    assert copied.found == page.unchanged_percent
    folder, _ = histories(tmp_path, [last, this])
    shown = BeautifulSoup((folder / "shili-zrzyghj-2023.html").read_text(encoding="utf-8"), "html.parser")
    summary = next(s for s in shown.select("section") if s.h2.text == "一、总体情况").select_one(".summary").text
    assert summary.startswith(f"与上年相同的文字占本年的 {copied.found}（")


def test_a_changed_cell_has_both_values_and_a_blank_is_not_zero(tmp_path):
    last, this = demo(2022, "shili-scjgj"), demo(2023, "shili-scjgj")
    this.tables["三"][RECEIVED]["自然人"] = None                       # 40 → blank
    this.tables["三"][RECEIVED]["法人或其他组织/社会公益组织"] = None  # 0 → blank
    last.tables["三"][RECEIVED]["法人或其他组织/其他"] = None           # blank → 0
    for record in (last, this):                                          # blank → blank: unchanged
        record.tables["三"][CARRIED]["法人或其他组织/其他"] = None
    table = section(compare.compare(last, this), "三、收到和处理政府信息公开申请情况")
    cells = {(c.row, c.column): (c.last, c.this, c.difference) for c in table.changed}
    assert cells[(RECEIVED, "总计")] == ("50", "42", "-8")
    assert cells[(RECEIVED, "自然人")] == ("40", "空白", "")
    assert cells[(RECEIVED, "法人或其他组织/社会公益组织")] == ("0", "空白", "")
    assert cells[(RECEIVED, "法人或其他组织/其他")] == ("空白", "0", "")
    assert (CARRIED, "法人或其他组织/其他") not in cells
    assert table.unchanged + len(table.changed) == 175 and table.not_compared == 0
    assert [row for row, _ in table.by_row][:2] == [RECEIVED, CARRIED]

    folder, _ = histories(tmp_path, [last, this])
    page = BeautifulSoup((folder / "shili-scjgj-2023.html").read_text(encoding="utf-8"), "html.parser")
    rows = [[cell.text for cell in tr.find_all(["th", "td"])] for tr in page.select("table.changes tr")]
    assert ["自然人", "40", "空白", "—"] in rows and ["法人或其他组织 / 社会公益组织", "0", "空白", "—"] in rows
    assert ["总计", "50", "42", "-8"] in rows and ["行政强制", ""] not in rows
    assert "有变化的单元格 36 个，未变化的 139 个。" in page.text


def test_parts_of_different_editions_compare():
    older, newer = demo(2020), demo(2021)  # the 2019 edition, then the 2021 edition
    assert (older.edition, newer.edition) == ("2019", "2021")
    comparison = compare.compare(older, newer)
    part = section(comparison, "一、总体情况")
    assert marked(row_of(part, "（一）主动公开").last) == ["340"] and marked(row_of(part, "（一）主动公开").this) == ["380"]
    table = section(comparison, "三、收到和处理政府信息公开申请情况")
    assert table.not_compared > 0 and (RECEIVED, "总计") in {(c.row, c.column) for c in table.changed}
    assert "三、本年度办理结果/（六）其他处理/3.其他" not in {c.row for c in table.changed}  # 2019 has no such row

    # the legacy table's free narrative has no part of 2021's: each stands alone, said so
    legacy = intake.read(ROOT / "data/2019/shangqiu-jgswzx.yaml")
    legacy.agency_id = older.agency_id
    comparison = compare.compare(legacy, older)
    assert section(comparison, "一、总体情况").note == "上年格式无此部分"
    body = section(comparison, "正文")
    assert body.note == "本年格式无此部分" and body.unchanged is None and all(row.this is None for row in body.rows)
    assert all(s.not_compared and not s.changed and not s.unchanged for s in comparison.sections if s.kind == "table")


def test_the_history_page_links_each_pair_of_years(tmp_path):
    records = [demo(year) for year in (2019, 2020, 2021, 2022, 2023)] + [demo(2023, "shili-sjzyglj")]
    folder, made = histories(tmp_path, records)
    assert made == {"shili-zrzyghj": "history/shili-zrzyghj.html"}  # sjzyglj has one year here
    history = BeautifulSoup((folder / "shili-zrzyghj.html").read_text(encoding="utf-8"), "html.parser")
    links = [(a["href"], a.text) for a in history.find_all("a") if a["href"].startswith("shili-zrzyghj-")]
    assert links == [(f"shili-zrzyghj-{year}.html", f"{year}年与{year - 1}年") for year in (2020, 2021, 2022, 2023)]
    page = (folder / "shili-zrzyghj-2023.html").read_text(encoding="utf-8")
    assert "<title>示例市自然资源和规划局 · 2023年与2022年对比</title>" in page
    assert 'href="../2022/shili-zrzyghj/report.html"' in page and 'href="shili-zrzyghj.html"' in page
    assert "2020年报告用2019年版格式" in (folder / "shili-zrzyghj-2021.html").read_text(encoding="utf-8")
    assert not (folder / "shili-zrzyghj-2019.html").exists()


def test_hostile_text_stays_text(tmp_path):
    this = demo(2023)
    this.agency = "<b>示例市</b>自然资源和规划局"
    this.parts["五"] = ("存在的主要问题：<script>alert(1)</script>\n\n"
                       "改进措施：<img src=http://evil.example/x.png> **加粗** [链接](http://evil.example/)")
    folder, _ = histories(tmp_path, [demo(2022), this])
    html = (folder / "shili-zrzyghj-2023.html").read_text(encoding="utf-8")
    assert "<script" not in html and "<img" not in html and "<b>" not in html and "<strong>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "&lt;img src=http://evil.example/x.png&gt;" in html
    assert "**加粗** [链接](http://evil.example/)" in html  # Markdown shown as written, not rendered
    assert 'content="default-src \'none\'; style-src \'unsafe-inline\'; img-src data:"' in html
    page = BeautifulSoup(html, "html.parser")
    assert page.find_all(["script", "img", "b", "strong"]) == [] and page.find("a", href="http://evil.example/") is None
    inserted = " ".join(ins.text for ins in page.find_all("ins"))
    assert "<script>alert(1)</script>" in inserted and "<img src=http://evil.example/x.png>" in inserted
