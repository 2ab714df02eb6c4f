"""End to end for one report: papermill's command line runs the template with a params file,
nbconvert's command line renders it through the exporters this package registers."""
import io
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader

from conftest import DEMO, ROOT, drawn, render_as_is
from nianbao import intake
from nianbao.pages.exporters import ReportHTMLExporter, ReportPDFExporter, ReviewHTMLExporter
from nianbao.pages.typeset import pdf as typeset
from nianbao.report import FINDINGS_MIME, Report

BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    out = tmp_path_factory.mktemp("render") / "quzhou.ipynb"
    subprocess.run([BIN / "papermill", "notebooks/annual_report.ipynb", out,
                    "-f", "params/2022/quzhou-jgswbzzx.yaml", "--no-progress-bar"],
                   cwd=ROOT, check=True, capture_output=True)
    return out


@pytest.fixture(scope="module")
def pdf(executed):
    subprocess.run([BIN / "jupyter", "nbconvert", "--to", "nianbao_pdf", executed],
                   check=True, capture_output=True)
    return PdfReader(executed.with_suffix(".pdf"))


@pytest.fixture(scope="module")
def html(executed):
    body, _ = ReportHTMLExporter().from_notebook_node(nbformat.read(executed, as_version=4))
    return body


@pytest.fixture(scope="module")
def review(executed):
    body, _ = ReviewHTMLExporter().from_notebook_node(nbformat.read(executed, as_version=4))
    return body


def test_the_executed_notebook_carries_papermill_metadata_and_the_findings(executed):
    notebook = nbformat.read(executed, as_version=4)
    assert notebook.metadata.papermill.parameters["record"] == "data/2022/quzhou-jgswbzzx.yaml"
    payloads = [o["data"][FINDINGS_MIME] for c in notebook.cells for o in c.get("outputs", [])
                if FINDINGS_MIME in o.get("data", {})]
    assert len(payloads) == 1 and payloads[0]["agency"] == "衢州市机关事务保障中心"
    rules = {(f["rule"], f["row"], f["column"], f["part"]) for f in payloads[0]["findings"]}
    assert ("表二.现行有效", "第二十条第（一）项/规章", "现行有效件数", "") in rules
    assert ("文字.规范", "", "", "date") in rules


def test_pdf_is_a4_with_embedded_cjk_subsets_and_extractable_text(pdf):
    page = pdf.pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)
    fonts = {}
    for p in pdf.pages:
        for font in p["/Resources"]["/Font"].values():
            font = font.get_object()
            fonts[font["/BaseFont"]] = font
    assert fonts and all(f["/Subtype"] == "/Type0" for f in fonts.values())  # CID fonts, not Type 3
    names = [str(name) for name in fonts]
    assert all(re.match(r"/[A-Z]{6}\+", name) for name in names)  # subset tags
    # the faces by their PostScript names: the stand-ins of the body's 仿宋 and the headings' 黑体
    assert any("FandolFang" in name for name in names) and any("FandolHei" in name for name in names)
    for font in fonts.values():
        descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
        assert "/FontFile3" in descriptor or "/FontFile2" in descriptor  # embedded


def test_pdf_shows_the_six_parts_tables_numbers_and_signature(pdf):
    text = "\n".join(page.extract_text() for page in pdf.pages)
    flat = re.sub(r"\s+", "", text)
    assert "衢州市机关事务保障中心2022年政府信息公开工作年度报告" in flat
    for title in ["一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
                  "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项"]:
        assert title in flat
    assert flat.index("一、总体情况") < flat.index("二、主动公开") < flat.index("三、收到和处理") \
        < flat.index("四、政府信息公开行政复议") < flat.index("五、存在的主要问题") < flat.index("六、其他需要报告")
    for label in ["第二十条第（一）项", "本年制发件数", "现行有效件数", "本年收费金额（单位：万元）", "申请人情况",
                  "法人或其他组织", "3.危及“三安全一稳定”", "（七）总计", "四、结转下年度继续办理",
                  "未经复议直接起诉", "复议后起诉", "尚未审结"]:
        assert label in flat, label
    assert re.search(r"规章\s*1\s+0\s+0", text)  # seed 001: 1 issued, 0 repealed, 0 in force
    assert "主动公开政府信息12" in flat and "0570-3012273" in flat
    assert flat.index("无其他需要报告的事项") < flat.rindex("衢州市机关事务保障中心2023年1月28")  # signature
    assert "—1—" in flat  # page numbers
    assert "审核意见" not in flat  # the review panel is for the screen only


@pytest.mark.parametrize("page", ["html", "review"])
def test_html_is_self_contained(page, request):
    html = request.getfixturevalue(page)
    assert "<script" not in html and "<link" not in html
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
    assert "@import" not in html and "url(" not in html
    assert "Report.load" not in html  # no code


def test_the_public_page_is_the_report_alone_and_the_review_page_marks_the_findings(html, review):
    public = BeautifulSoup(html, "html.parser")
    assert public.select_one("aside.review-panel") is None and not public.select("a.mark, .flag-warning")
    assert "表二.现行有效" not in html and "审核" not in public.get_text()
    page = BeautifulSoup(review, "html.parser")
    assert page.select_one("aside.review-panel")
    flagged = page.select("td.flag-warning")
    # 规章: 本年制发件数 1 from a 中心 (表二.规章主体), 现行有效件数 0 (表二.现行有效)
    assert [cell.get_text() for cell in flagged] == ["1" + flagged[0].a.get_text(), "0" + flagged[1].a.get_text()]
    assert all(page.select_one(cell.a["href"]).get("class") == ["finding", "warning"] for cell in flagged)
    for shown in (public, page):
        spans = {th.get_text(): th.get("colspan") for th in shown.select("thead th")}
        assert spans["法人或其他组织"] == "5" and spans["申请人情况"] == "7"
        assert spans["行政诉讼"] == "10" and spans["复议后起诉"] == "5"
    # the same report in both: the review page adds its panel and marks only
    for mark in page.select("aside.review-panel, a.mark"):
        mark.decompose()
    assert re.sub(r"\s+", "", page.select_one("main").get_text()) == re.sub(r"\s+", "", public.select_one("main").get_text())


def test_untrusted_text_never_becomes_markup():
    record = intake.read(DEMO)
    record.agency = "<b>衢州</b>"
    record.parts["一"] = ('<script>alert(1)</script>\n\n<img src=x onerror="alert(2)">\n\n'
                          "[点这里](javascript:alert(3)) 与 ![图](http://example.com/x.png)")
    report = Report(record, [])
    html = "".join(f.html for f in [report.heading(), report.part("一"), report.signature(), report.review()])
    assert "<script" not in html and "<img" not in html and "<b>" not in html and "<a href" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;衢州&lt;/b&gt;" in html
    assert "javascript:" not in html.replace("[点这里](javascript:alert(3))", "")


def test_run_all_works_as_it_is_in_jupyterlab(tmp_path):
    page = render_as_is("annual_report.ipynb", tmp_path, review=True)
    assert page.select_one("h1.report-title").get_text() == "衢州市机关事务保障中心2022年政府信息公开工作年度报告"
    assert len(page.select("section.part")) == 6 and page.select_one("aside.review-panel")


def test_the_html_title_is_the_reports(html):
    assert "<title>衢州市机关事务保障中心2022年政府信息公开工作年度报告</title>" in html


def test_a_broken_previous_year_only_skips_the_carry_over(tmp_path):
    broken = tmp_path / "2021.yaml"
    broken.write_text("agency: 衢州市机关事务保障中心\nyear: 二〇二一\n", encoding="utf-8")
    report = Report.load(DEMO, broken)
    unread = [f for f in report.findings if f.rule == "跨年.上年记录"]
    assert len(unread) == 1 and "报告年度应为四位数年份，实为“二〇二一”" in unread[0].message
    # its own four, 内容.总体情况五方面 (no 政府信息管理 in its 总体情况), 依据.过时 (its lead cites
    # the 2019 format notice) and 表二.规章主体 (a 中心 reports a 规章 made)
    assert report.previous is None and report.warnings == 7


def test_a_broken_previous_year_among_the_earlier_years_warns_once(tmp_path):
    broken = tmp_path / "2022.yaml"
    broken.write_text("agency: 示例市市场监督管理局\nyear: 二〇二二\n", encoding="utf-8")
    report = Report.load(ROOT / "data/2023/shili-scjgj.yaml", broken, history=[broken])
    assert [f.rule for f in report.findings if f.part == "history"] == ["跨年.上年记录"]
    assert report.earlier == [] and report.history().html == ""


def test_a_previous_year_of_another_agency_is_a_warning_not_a_crash(tmp_path):
    other = tmp_path / "2022.yaml"  # no agency_id: the file's name stands in for it
    other.write_text("agency: 示例市市场监督管理局\nyear: 2022\n", encoding="utf-8")
    report = Report.load(ROOT / "data/2023/shili-scjgj.yaml", other)
    [warned] = [f for f in report.findings if f.rule == "跨年.上年记录"]
    assert "上一年度记录是 2022 2022 年的，应为 shili-scjgj 2022 年" in warned.message and report.previous is None


def test_a_notebook_made_for_another_edition_names_the_right_one():
    report = Report(intake.read(ROOT / "data/2022/quzhou-jgswbzzx-summary.yaml"), [])
    with pytest.raises(KeyError, match="没有“三”部分.*notebooks/work_summary.ipynb"):
        report.part("三")


def test_a_report_with_errors_is_a_draft_on_screen_and_on_every_printed_page(tmp_path):
    out = tmp_path / "jtysj.ipynb"
    subprocess.run([BIN / "papermill", "notebooks/annual_report.ipynb", out, "-f", "params/2023/shili-jtysj.yaml",
                    "--no-progress-bar"], cwd=ROOT, check=True, capture_output=True)
    notebook = nbformat.read(out, as_version=4)
    html, _ = ReportHTMLExporter().from_notebook_node(notebook)
    page = BeautifulSoup(html, "html.parser")
    assert page.select_one("main.report.draft .draft-mark").get_text() == "草稿（核查未通过）"
    document, _ = ReportPDFExporter().from_notebook_node(notebook)
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(document)).pages]
    assert len(pages) > 1 and all("草稿（核查未通过）" in text for text in pages)


def test_a_report_without_errors_is_no_draft(html, pdf):
    assert "草稿" not in html.split("</style>")[1] and "草稿" not in "".join(p.extract_text() for p in pdf.pages)


@pytest.mark.parametrize("record, lines", [
    ("data/2022/quzhou-jgswbzzx.yaml", ["衢州市机关事务保障中心", "2022年政府信息公开工作年度报告"]),
    ("data/2019/shangqiu-jgswzx.yaml", ["商丘市机关事务中心", "2019年度政府信息与政务公开工作报告"]),
    ("data/2022/quzhou-jgswbzzx-summary.yaml", ["衢州市机关事务保障中心", "2022年政务公开工作总结和", "2023年工作思路"]),
])
def test_a_title_line_never_ends_inside_a_word_in_the_pdf(tmp_path, record, lines):
    document, _ = drawn(Report(intake.read(ROOT / record), []))
    text = PdfReader(io.BytesIO(typeset(document))).pages[0].extract_text()
    printed = [line.replace(" ", "") for line in text.splitlines() if line.strip()][:len(lines)]
    assert printed == lines
