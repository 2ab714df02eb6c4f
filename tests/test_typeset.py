"""The PDF typeset by Typst from the report's document (pages/typeset.py, templates/typst/report.typ):
untrusted text shown verbatim, every part in the edition's order, a government's coverage
appendix, the draft mark, and the file's properties (tagged, metadata, CJK subsets embedded).
The page layout across pages is tested in test_print_layout.py."""
import io
import re
import subprocess

import pytest
from pypdf import PdfReader

from conftest import DEMO, ROOT, drawn
from nianbao.document import Chart, Heading, ListBlock, Paragraph, Run
from nianbao.pages.typeset import _block, pdf
from nianbao.report import Report


def document_of(record=DEMO, edit=lambda record: None, **load):
    """The document of a record as the template makes it, after `edit` changed the record."""
    report = Report.load(record, **load)
    edit(report.record)
    return drawn(report)[0]


def text_of(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-raw", path, "-"], capture_output=True, text=True, check=True).stdout


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def demo():
    document = document_of()
    return document, pdf(document)


def test_typst_syntax_in_every_field_is_shown_verbatim(tmp_path):
    tricky = ['#set page(width: 1cm)', '#eval("1 + 1") *粗* _斜_ `代码`', "$ x^2 $ + 1", "= 标题 <label> @ref",
              "] [ } { ) ( // /* */", "\\ \\n \\u{41} \\#", '"引号" 「」 ＃＄％']

    def edit(record):
        record.agency = "衢州" + tricky[0]
        record.date = tricky[1]
        record.contact = tricky[5]  # plain text: the narrative's Markdown reads \# as #
        record.parts["一"] = "\n\n".join([tricky[2], tricky[3], tricky[4], tricky[6]])

    shown = flat(text_of(pdf(document_of(edit=edit)), tmp_path))
    for line in tricky:
        assert flat(line) in shown, line


def test_every_part_in_the_editions_order_with_its_tables_and_the_signature(demo, tmp_path):
    _, pdf = demo
    shown = flat(text_of(pdf, tmp_path))
    record = Report.load(DEMO).record
    titles = [record.spec.part_title(part, record.year) for part in record.spec.parts]
    assert len(titles) == 6
    places = [shown.index(flat(title)) for title in titles]
    assert places == sorted(places)
    for label in ["第二十条第（一）项", "（三）不予公开", "3.危及“三安全一稳定”", "未经复议直接起诉", "（七）总计"]:
        assert label in shown, label  # full-width punctuation as written
    assert shown.rindex("衢州市机关事务保障中心2023年1月28") > places[-1]


def test_narrative_markdown_gives_paragraphs_lists_headings_and_emphasis(tmp_path):
    def edit(record):
        record.parts["一"] = ("## 小标题\n\n1. 甲\n2. 乙\n   - 丙\n\n**重点**与*强调*\n第二行\n\n"
                             "<b>原样</b> [链接](http://example.com)")

    document = document_of(edit=edit)
    [part] = [section for section in document.sections if section.name == "part:一"]
    _, heading, listed, paragraph, raw = part.blocks
    assert heading == Heading(["小标题"], level=2)
    assert listed.ordered and listed.start == 1 and [item[0].text for item in listed.items] == ["甲", "乙"]
    assert isinstance(listed.items[1][1], ListBlock) and not listed.items[1][1].ordered
    assert paragraph.runs == [Run("重点", strong=True), Run("与"), Run("强调", emphasis=True), Run("\n第二行")]
    assert raw == Paragraph([Run("<b>原样</b> [链接](http://example.com)")])
    shown = flat(text_of(pdf(document), tmp_path))
    assert "小标题1.甲2.乙•丙重点与强调第二行<b>原样</b>[链接](http://example.com)" in shown


def test_a_government_report_ends_with_the_units_it_covers(tmp_path):
    def unit(agency, **more):
        return {"id": agency, "name": "", "params": f"params/2023/{agency}.yaml", "folder": f"2023/{agency}",
                "record": str(ROOT / "data/2023" / f"{agency}.yaml"), "problem": "", "missing": False,
                "covers": [], **more}

    covers = [unit("shili-jtysj"), unit("shili-scjgj"),
              unit("shili-wsjkw", name="示例市卫生健康委员会", params="", folder="", record="", missing=True,
                   problem="找不到 2023 年度的参数文件 shili-wsjkw.yaml")]
    document = document_of(str(ROOT / "data/2023/shili-szf.yaml"), year=2023, agency_id="shili-szf", covers=covers)
    pages = [flat(page.extract_text()) for page in PdfReader(io.BytesIO(pdf(document))).pages]
    [appendix] = [number for number, page in enumerate(pages) if "附：本报告涵盖的单位" in page]
    assert pages[appendix].startswith("草稿（核查未通过）附：本报告涵盖的单位")  # on a page of its own
    for unit_text in ["示例市交通运输局", "示例市卫生健康委员会", "尚无本年度报告，未计入"]:
        assert unit_text in pages[appendix], unit_text
    # what only the review page says: a unit's errors, a params file's name
    for internal in ["有错误", ".yaml", "参数文件"]:
        assert internal not in "".join(pages), internal


def test_a_report_with_open_errors_is_a_draft_on_every_page_and_one_without_is_not(demo):
    document, drawn_pdf = demo
    assert document.draft == ""
    assert all("草稿" not in page.extract_text() for page in PdfReader(io.BytesIO(drawn_pdf)).pages)
    document.draft = "草稿（核查未通过）"
    pages = PdfReader(io.BytesIO(pdf(document))).pages
    document.draft = ""
    assert all("草稿（核查未通过）" in page.extract_text() for page in pages)


def test_the_pdf_is_a4_tagged_titled_with_subsets_of_the_cjk_faces_embedded(demo, tmp_path):
    _, drawn_pdf = demo
    reader = PdfReader(io.BytesIO(drawn_pdf))
    assert 4 <= len(reader.pages) <= 8  # the WeasyPrint PDF of the demo had 6
    assert {(round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in reader.pages} == {(595, 842)}
    catalog = reader.trailer["/Root"]
    assert "/StructTreeRoot" in catalog and catalog["/MarkInfo"]["/Marked"] and catalog["/Lang"] == "zh-CN"
    assert reader.metadata.title == "衢州市机关事务保障中心2022年政府信息公开工作年度报告"
    assert reader.metadata.author == "衢州市机关事务保障中心"
    path = tmp_path / "demo.pdf"
    path.write_bytes(drawn_pdf)
    fonts = subprocess.run(["pdffonts", path], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    assert fonts and all(re.match(r"[A-Z]{6}\+(Fandol(Fang|Hei|Kai|Song)|NotoSerifCJKsc)-", line) for line in fonts)
    assert all(line.split()[-5:-2] == ["yes", "yes", "yes"] for line in fonts)  # embedded, subset, unicode
    # 仿宋, 黑体, 楷体 and the 小标宋 title's stand-ins, the tables' 宋体 (test_official_faces.py: every report)
    assert {line.split("+")[1].split("-Identity")[0] for line in fonts} == {
        "FandolFang-Regular", "FandolHei-Regular", "FandolKai-Regular", "FandolSong-Bold", "NotoSerifCJKsc-Regular"}


def test_page_numbers_stand_on_the_outer_side(demo, tmp_path):
    _, drawn_pdf = demo
    path = tmp_path / "demo.pdf"
    path.write_bytes(drawn_pdf)
    xml = subprocess.run(["pdftotext", "-bbox", path, "-"], capture_output=True, text=True, check=True).stdout
    numbers = re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">—(\d+)—</word>', xml)
    assert [int(n) for *_, n in numbers] == list(range(1, len(numbers) + 1))
    for left, top, right, number in numbers:
        # 7 mm under the 版心 (35 mm bottom margin), one character (14 pt) in from its edge
        assert abs(float(top) - (841.89 - (35 - 7) * 72 / 25.4)) < 4
        if int(number) % 2:
            assert abs(float(right) - (595.28 - 26 * 72 / 25.4 - 14)) < 2
        else:
            assert abs(float(left) - (28 * 72 / 25.4 + 14)) < 2


def test_a_report_with_earlier_years_draws_its_charts_as_text():
    document = document_of(ROOT / "data/2023/shili-zrzyghj.yaml",
                           history=[ROOT / f"data/{year}/shili-zrzyghj.yaml" for year in range(2019, 2023)])
    charts = [block for block in document.blocks if isinstance(block, Chart)]
    assert [chart.title for chart in charts] == ["申请办理", "办理结果", "复议诉讼"]
    applications = charts[0]
    assert applications.years == ["2019年", "2020年", "2021年", "2022年", "2023年"]
    axis = _block(applications)
    assert axis["ticks"][0] == 0 and axis["top"] >= max(max(s.values) for s in applications.series)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf(document))).pages)
    assert "附：示例市自然资源和规划局历年情况对比" in text and "2019年" in text


def test_a_lone_surrogate_or_control_character_does_not_stop_the_pdf():
    document = document_of(edit=lambda record: record.parts.update({"一": "坏字符\ud800与响铃\x07"}))
    assert PdfReader(io.BytesIO(pdf(document))).pages


def test_the_title_breaks_between_its_words_in_lines_of_at_most_18_characters():
    [title] = document_of().sections[0].blocks[:1]
    assert title.words == ["衢州市机关事务保障中心", "2022年政府信息公开工作年度报告"]
    assert title.lines == title.words  # two lines, each a whole phrase


def test_the_typesetters_cpu_is_counted_for_the_process_that_asked():
    # Typst runs in another process: its CPU must reach the PDF stage's figure (run.json).
    from nianbao.pages.typeset import typesetter_cpu

    document = document_of(edit=lambda record: setattr(record, "agency", "另一个机关"))  # not laid out before
    before = typesetter_cpu()
    pdf(document)
    assert typesetter_cpu() - before > 0.01
