"""The Word report (pages/word.py): read back with python-docx, and laid out by LibreOffice.

python-docx reads the merges, labels, numbers, page and fonts back from the file. LibreOffice
converts one report of each edition and genre to PDF (once, for the module), whose text must
hold every official label and the numbers: a file Word or WPS would refuse or mangle seldom
lays out there either.
"""
import io
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest
from docx import Document
from docx.enum.text import WD_LINE_SPACING
from docx.oxml.ns import qn
from pypdf import PdfReader

from conftest import DEMO, ROOT, drawn
from nianbao import editions
from nianbao.document.notebook import DRAFT
from nianbao.labels import split_path
from nianbao.pages.exporters import ReportDocxExporter
from nianbao.pages.word import docx
from nianbao.record import format_value
from nianbao.report import Report

BIN = Path(sys.executable).parent
REPORTS = {  # one report of each edition and genre: (record, earlier years)
    "quzhou-2021": (DEMO, []),
    "pingtan-2019": (ROOT / "data/2019/pingtan-zhsyq.yaml", []),
    "shangqiu-legacy": (ROOT / "data/2019/shangqiu-jgswzx.yaml", []),
    "quzhou-summary": (ROOT / "data/2022/quzhou-jgswbzzx-summary.yaml", []),
    "shili-history": (ROOT / "data/2023/shili-zrzyghj.yaml",
                      [ROOT / f"data/{year}/shili-zrzyghj.yaml" for year in range(2019, 2023)]),
}

# The national form's Word version (政务公开年报模版.docx, made in WPS), cell by cell: each
# w:tc's gridSpan, then r for vMerge="restart" and c for a continuation.
FORM_TABLE_2 = ["4", "1 1 1 1", "1 1 1 1", "1 1 1 1", "4", "1 3", "1 3", "4", "1 3", "1 3", "1 3", "4", "1 3", "1 3"]
FORM_TABLE_3 = ["3r 7", "3c 1r 5 1r", "3c 1c 1 1 1 1 1 1c", *["3 1 1 1 1 1 1 1"] * 2,
                "1r 2 1 1 1 1 1 1 1", "1c 2 1 1 1 1 1 1 1",
                *[row for rows in (8, 3, 5, 3) for row in ["1c 1r" + " 1" * 8] + ["1c 1c" + " 1" * 8] * (rows - 1)],
                "1c 2 1 1 1 1 1 1 1", "3 1 1 1 1 1 1 1"]


def report_of(name: str) -> Report:
    record, earlier = REPORTS[name]
    return Report.load(record, history=earlier)


def word_file(report: Report) -> bytes:
    return docx(drawn(report)[0])


@pytest.fixture(scope="module")
def reports():
    return {name: report_of(name) for name in REPORTS}


@pytest.fixture(scope="module")
def documents(reports):
    return {name: word_file(report) for name, report in reports.items()}


@pytest.fixture(scope="module")
def pdfs(documents, tmp_path_factory):
    """Every report converted by LibreOffice in one run (a start costs seconds)."""
    assert shutil.which("soffice"), "LibreOffice is missing: make debian-packages installs it"
    folder = tmp_path_factory.mktemp("word")
    for name, data in documents.items():
        (folder / f"{name}.docx").write_bytes(data)
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", folder,
                    *sorted(folder.glob("*.docx"))],
                   env={**os.environ, "HOME": str(folder / "home")}, check=True, capture_output=True, timeout=180)
    return {name: PdfReader(folder / f"{name}.pdf") for name in documents}


def opened(data: bytes):
    return Document(io.BytesIO(data))


def signature(table) -> list[str]:
    rows = []
    for tr in table._tbl.tr_lst:
        cells = []
        for tc in tr.tc_lst:
            merge = tc.tcPr.find(qn("w:vMerge")) if tc.tcPr is not None else None
            state = "" if merge is None else ("r" if merge.get(qn("w:val")) == "restart" else "c")
            cells.append(f"{tc.grid_span}{state}")
        rows.append(" ".join(cells))
    return rows


def spans(table) -> list[tuple[str, int, int]]:
    """(text, rows, columns) of every cell as the reader sees it, merges resolved."""
    grid = []
    for tr in table._tbl.tr_lst:
        column, line = 0, []
        for tc in tr.tc_lst:
            merge = tc.tcPr.find(qn("w:vMerge")) if tc.tcPr is not None else None
            state = None if merge is None else merge.get(qn("w:val"), "continue")
            line.append((column, tc.grid_span, state, "".join(t.text or "" for t in tc.iter(qn("w:t")))))
            column += tc.grid_span
        grid.append(line)
    found = []
    for number, line in enumerate(grid):
        for column, width, state, text in line:
            if state == "continue":
                continue
            height = 1
            while state == "restart" and number + height < len(grid) and any(
                    c == column and s == "continue" for c, _, s, _ in grid[number + height]):
                height += 1
            found.append((text, height, width))
    return found


def values(table) -> list[str]:
    """The numbers (and blank cells) of a table, in reading order."""
    return [text for text, _, _ in spans(table) if re.fullmatch(r"-?\d+(\.\d+)?|", text)]


def official_labels(table: editions.Table) -> set[str]:
    labels = set()
    for block in table.blocks:
        labels |= {block.title, block.stub, block.column_header, block.note, block.unit}
        labels |= {row.unit for row in block.rows}
        for row in block.rows:
            labels |= set(split_path(row.label)[-1:] if block.flat else split_path(row.label))
        for column in block.columns:
            labels |= set(split_path(column.label))
    return labels - {""}


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


# ---- The file, read back ----

def test_tables_two_and_three_merge_as_the_national_form(documents):
    two, three, four = opened(documents["quzhou-2021"]).tables
    assert signature(two) == FORM_TABLE_2
    assert signature(three) == FORM_TABLE_3
    cells = spans(three)
    assert cells[0] == ("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", 3, 3)
    for cell in [("申请人情况", 1, 7), ("法人或其他组织", 1, 5), ("自然人", 2, 1), ("总计", 2, 1),
                 ("三、本年度办理结果", 22, 1), ("（三）不予公开", 8, 1), ("（四）无法提供", 3, 1),
                 ("（五）不予处理", 5, 1), ("（六）其他处理", 3, 1), ("（一）予以公开", 1, 2),
                 ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", 1, 2), ("（七）总计", 1, 2),
                 ("一、本年新收政府信息公开申请数量", 1, 3), ("四、结转下年度继续办理", 1, 3)]:
        assert cell in cells, cell
    assert len(three.columns) == 10 and len(four.columns) == 15


def test_table_four_heads_fifteen_columns(documents):
    four = opened(documents["quzhou-2021"]).tables[2]
    cells = spans(four)
    # as the national form draws it (and the HTML and the workbook alike): 行政复议 on one header row,
    # its five heads merged down the two below it
    assert cells[:2] == [("行政复议", 1, 5), ("行政诉讼", 1, 10)]
    assert cells[2:7] == [(label, 2, 1) for label in ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]]
    assert cells[7:9] == [("未经复议直接起诉", 1, 5), ("复议后起诉", 1, 5)]
    assert [text for text, _, _ in cells[9:19]] == ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 2
    assert values(four) == ["0"] * 15


def test_labels_verbatim_and_numbers_in_table_order(documents, reports):
    document = opened(documents["quzhou-2021"])
    record_tables = reports["quzhou-2021"].record.tables
    edition = editions.load("2021")
    for table_id, table in zip(["二", "三", "四"], document.tables):
        texts = {text for text, _, _ in spans(table)}
        assert official_labels(edition.tables[table_id]) <= texts, table_id
        expected = [format_value(record_tables[table_id].get(row, {}).get(column))
                    for row, column in edition.tables[table_id].cells()]
        assert values(table) == expected, table_id
    assert values(document.tables[0]) == ["1", "0", "0"] + ["0"] * 7  # seed 001: 规章 1 issued, 0 in force


def test_a_blank_cell_stays_empty_never_0():
    report = report_of("quzhou-2021")
    report.record.tables["三"]["一、本年新收政府信息公开申请数量"]["自然人"] = None
    three = opened(word_file(report)).tables[1]
    assert values(three)[:8] == ["", "0", "0", "0", "0", "0", "0", "0"]


def test_header_rows_repeat_no_row_splits_and_no_label_is_cut(documents):
    two, three, four = opened(documents["quzhou-2021"]).tables
    for table, header in [(two, 0), (three, 3), (four, 3)]:  # 表二's blocks have heads of their own
        rows = table._tbl.tr_lst
        assert all(tr.trPr.find(qn("w:cantSplit")) is not None for tr in rows)
        assert [tr.trPr.find(qn("w:tblHeader")) is not None for tr in rows] == \
            [True] * header + [False] * (len(rows) - header)

    def kept(table):  # the rows kept on a page with the next
        return [all(p.paragraph_format.keep_with_next for c in row.cells for p in c.paragraphs) for row in table.rows]

    # 表二: each block whole; 表三 runs on between its lines, but for its head with its first seven
    # lines (three, and the first three of 三、本年度办理结果 and of （三）不予公开, which overlap),
    # the first three of （四）, （五） and （六）, and its last five (three, and （六）'s)
    # (document/grid.py's kept_lines); a merged label's vMerge runs on past a page break
    assert kept(two) == [True, True, True, False, True, True, False, True, True, True, False, True, True, False]
    assert kept(three) == [True] * 3 + [True] * 6 + [False] * 6 + [True, True, False] * 2 + [False] * 2 + \
        [True] * 4 + [False]


def test_page_type_and_east_asian_fonts_follow_gb_t_9704(documents):
    document = opened(documents["quzhou-2021"])
    section = document.sections[0]
    assert [round(x.mm, 1) for x in (section.page_width, section.page_height)] == [210, 297]
    assert [round(x.mm, 1) for x in (section.top_margin, section.bottom_margin,
                                     section.left_margin, section.right_margin)] == [37, 35, 28, 26]

    def east_asian(style):
        return document.styles[style].element.rPr.rFonts.get(qn("w:eastAsia"))

    assert [east_asian(s) for s in ["公文标题", "Normal", "Heading 1", "Heading 2", "表格文字"]] == \
        ["方正小标宋简体", "仿宋_GB2312", "黑体", "楷体_GB2312", "宋体"]
    assert document.styles["公文标题"].font.size.pt == 22 and document.styles["Normal"].font.size.pt == 16
    body = document.styles["Normal"].paragraph_format
    assert body.line_spacing_rule == WD_LINE_SPACING.EXACTLY and 28 <= body.line_spacing.pt <= 29
    title = document.paragraphs[0]
    assert title.style.name == "公文标题" and title.text == "衢州市机关事务保障中心\n2022年政府信息公开工作年度报告"
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == [part.title for part in editions.load("2021").parts]
    assert [p.text for p in document.paragraphs[-2:]] == ["衢州市机关事务保障中心", "2023年1月28"]  # signature
    assert document.settings.odd_and_even_pages_header_footer
    odd, even = section.footer.paragraphs[0], section.even_page_footer.paragraphs[0]
    assert ["".join(t.text for t in p._p.iter(qn("w:t"))) for p in (odd, even)] == ["— 1 —"] * 2
    assert (odd.alignment, even.alignment) == (2, 0)  # right on odd pages, left on even ones
    fields = [f.get(qn("w:instr")) for f in section.footer._element.iter(qn("w:fldSimple"))]
    assert fields == [" PAGE "]


@pytest.mark.parametrize("name, title", [
    ("quzhou-summary", ["衢州市机关事务保障中心", "2022年政务公开工作总结和", "2023年工作思路"]),
    ("shangqiu-legacy", ["商丘市机关事务中心", "2019年度政府信息与政务公开工作报告"]),
])
def test_the_title_breaks_only_between_words(documents, name, title):
    assert opened(documents[name]).paragraphs[0].text.split("\n") == title


def test_a_short_title_stays_on_one_line():
    report = report_of("quzhou-2021")
    report.record.agency = "教育局"
    assert opened(word_file(report)).paragraphs[0].text == "教育局2022年政府信息公开工作年度报告"


def test_a_report_with_errors_is_marked_as_a_draft_on_every_page(documents, reports):
    assert reports["shangqiu-legacy"].errors > 0 and reports["quzhou-2021"].errors == 0
    draft = opened(documents["shangqiu-legacy"]).sections[0]
    assert draft.header.paragraphs[0].text == draft.even_page_header.paragraphs[0].text == DRAFT
    clean = opened(documents["quzhou-2021"]).sections[0]
    assert DRAFT not in clean.header._element.xml + clean.even_page_header._element.xml


def test_the_history_appendix_has_its_charts_and_changes(documents):
    document = opened(documents["shili-history"])
    pictures = [shape._inline.graphic.graphicData.pic.blipFill.blip.embed for shape in document.inline_shapes]
    assert len(pictures) == 3
    assert all(document.part.related_parts[r].content_type == "image/png" for r in pictures)
    heading = next(p for p in document.paragraphs if p.text.startswith("附："))
    assert heading.text == "附：示例市自然资源和规划局历年情况对比\n（2019—2023年）"
    changes = spans(document.tables[-1])
    assert changes[:8] == [("项目", 1, 2), *((f"{year}年", 1, 1) for year in range(2019, 2024)),
                           ("较上年增减", 1, 1), ("增减幅度", 1, 1)]
    assert ("申请办理", 4, 1) in changes
    assert not any(p.text.startswith("附：") for p in opened(documents["quzhou-2021"]).paragraphs)


def test_the_work_summary_has_no_tables(documents):
    document = opened(documents["quzhou-summary"])
    assert document.tables == []
    assert [p.text for p in document.paragraphs if p.style.name == "Heading 1"] == \
        ["一、2022年工作总结", "二、2023年工作思路"]


def test_markdown_gives_paragraphs_lists_headings_and_emphasis():
    report = report_of("quzhou-2021")
    report.record.parts["一"] = "## 小标题\n\n1. 甲\n2. 乙\n   - 丙\n\n**重点**与*强调*\n第二行"
    paragraphs = opened(word_file(report)).paragraphs
    start = next(i for i, p in enumerate(paragraphs) if p.text == "一、总体情况") + 1
    heading, first, second, nested, text = paragraphs[start:start + 5]
    assert heading.style.name == "Heading 2" and heading.text == "小标题"
    assert [first.text, second.text, nested.text] == ["1. 甲", "2. 乙", "• 丙"]
    assert nested.paragraph_format.left_indent.pt > 0
    assert text.text == "重点与强调\n第二行"
    assert [(r.text, r.bold, r.italic) for r in text.runs if r.text.strip()] == \
        [("重点", True, None), ("与", None, None), ("强调", None, True), ("\n第二行", None, None)]


def test_untrusted_text_stays_text():
    report = report_of("quzhou-2021")
    report.record.agency = "<b>衢州</b>{ PAGE }"
    report.record.contact = "电话\x07：{ HYPERLINK \"http://evil.example\" }"
    report.record.parts["一"] = ("<script>alert(1)</script>\n\n[点这里](javascript:alert(3)) 与 "
                                 "![图](http://example.com/x.png) 与 <http://example.com>\n\n{ PAGE } DDEAUTO")
    report.record.date = "<w:fldSimple w:instr=\"PAGE\"/>"
    made = word_file(report)
    with zipfile.ZipFile(io.BytesIO(made)) as package:
        xml = package.read("word/document.xml").decode()
        relations = package.read("word/_rels/document.xml.rels").decode()
        footers = [package.read(n).decode() for n in package.namelist() if re.match(r"word/footer\d*\.xml", n)]
    for element in ["<w:fldSimple", "<w:instrText", "<w:fldChar", "<w:hyperlink", "<w:object", "<w:altChunk"]:
        assert element not in xml
    assert "hyperlink" not in relations and 'TargetMode="External"' not in relations
    assert all(footer.count("<w:fldSimple") == 1 and 'w:instr=" PAGE "' in footer for footer in footers)
    text = "\n".join(p.text for p in opened(made).paragraphs)
    assert "<b>衢州</b>{ PAGE }" in text and "电话：{ HYPERLINK" in text  # the control character dropped
    assert "<script>alert(1)</script>" in text and "[点这里](javascript:alert(3))" in text
    assert "![图](http://example.com/x.png)" in text and "<http://example.com>" in text
    assert "<w:fldSimple w:instr=\"PAGE\"/>" in text


def test_the_nbconvert_exporter_needs_the_findings():
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1")])
    with pytest.raises(ValueError, match="没有报告的核查结果"):
        ReportDocxExporter().from_notebook_node(notebook)


def test_jupyter_nbconvert_makes_the_word_file_of_an_executed_notebook(tmp_path):
    executed = tmp_path / "quzhou.ipynb"
    subprocess.run([BIN / "papermill", "notebooks/annual_report.ipynb", executed,
                    "-f", "params/2022/quzhou-jgswbzzx.yaml", "--no-progress-bar"],
                   cwd=ROOT, check=True, capture_output=True)
    subprocess.run([BIN / "jupyter", "nbconvert", "--to", "nianbao_docx", executed], check=True, capture_output=True)
    document = opened(executed.with_suffix(".docx").read_bytes())
    assert document.paragraphs[0].text == "衢州市机关事务保障中心\n2022年政府信息公开工作年度报告"
    assert len(document.tables) == 3 and document.core_properties.title == "衢州市机关事务保障中心2022年政府信息公开工作年度报告"


# ---- The file, laid out by LibreOffice ----

@pytest.mark.parametrize("name, edition", [("quzhou-2021", "2021"), ("pingtan-2019", "2019"),
                                           ("shangqiu-legacy", "legacy"), ("shili-history", "2021")])
def test_libreoffice_lays_out_every_official_label(pdfs, name, edition):
    pdf = pdfs[name]
    assert all((round(float(p.mediabox.width)), round(float(p.mediabox.height))) == (595, 842) for p in pdf.pages)
    text = flat("".join(page.extract_text() for page in pdf.pages))
    for table in editions.load(edition).tables.values():
        for label in official_labels(table):
            assert flat(label) in text, label
    assert all(f"—{n}—" in flat(page.extract_text()) for n, page in enumerate(pdf.pages, 1))


def test_libreoffice_shows_the_demo_in_order_with_its_numbers(pdfs):
    pages = [page.extract_text() for page in pdfs["quzhou-2021"].pages]
    text = flat("".join(pages))
    assert text.startswith("衢州市机关事务保障中心2022年政府信息公开工作年度报告根据《中华人民共和国政府信息公开条例》")
    positions = [text.index(part.title) for part in editions.load("2021").parts]
    assert positions == sorted(positions)
    assert re.search(r"规章\s*1\s+0\s+0", "".join(pages))  # seed 001: 1 issued, 0 repealed, 0 in force
    assert re.search(r"无其他需要报告的事项。衢州市机关事务保障中心2023年1月28—\d+—$", text)  # the signature
    assert "审核意见" not in text and DRAFT not in text


def test_libreoffice_never_puts_the_signature_alone_on_a_page(pdfs, documents):
    """The body's last paragraph goes to the signature's page with it (GB/T 9704: no page of a
    signature alone); the 2021–2023 reports of 示例市自然资源和规划局 had it alone atop a page."""
    for name, pdf in pdfs.items():
        paragraphs = opened(documents[name]).paragraphs
        signed = max(number for number, paragraph in enumerate(paragraphs)  # the date's line follows the name's
                     if re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日?", paragraph.text)) - 1
        signature = flat(paragraphs[signed].text + paragraphs[signed + 1].text)
        page = next(flat(page.extract_text()) for page in pdf.pages if signature in flat(page.extract_text()))
        before = paragraphs[signed]._p.getprevious()
        if before.tag == qn("w:tbl"):  # the legacy report's table: its last row's label
            before = before.findall(qn("w:tr"))[-1].find(qn("w:tc"))
        last = flat("".join(before.itertext()))[-8:]
        assert last in page.split(signature)[0], (name, last)


def test_libreoffice_shows_the_draft_mark_summary_and_history(pdfs):
    assert all(DRAFT in page.extract_text() for page in pdfs["shangqiu-legacy"].pages)
    summary = flat("".join(page.extract_text() for page in pdfs["quzhou-summary"].pages))
    assert "一、2022年工作总结" in summary and "二、2023年工作思路" in summary
    history = flat("".join(page.extract_text() for page in pdfs["shili-history"].pages))
    assert "附：示例市自然资源和规划局历年情况对比（2019—2023年）" in history and "较上年增减" in history


@pytest.mark.parametrize("name", ["quzhou-2021", "pingtan-2019", "shangqiu-legacy", "quzhou-summary"])
def test_libreoffice_draws_title_headings_and_body_in_the_pdfs_faces(pdfs, name):
    """The faces the file names (方正小标宋简体, 黑体, 楷体_GB2312, 仿宋_GB2312) reach LibreOffice as the
    free stand-ins the PDF embeds, through the fontconfig aliases `make setup` installs."""
    faces = {str(font.get_object()["/BaseFont"]).split("+")[-1]
             for page in pdfs[name].pages for font in page["/Resources"]["/Font"].values()}
    assert {"FandolSong-Bold", "FandolHei-Regular", "FandolFang-Regular"} <= faces, faces
    assert ("FandolKai-Regular" in faces) == (name != "quzhou-summary"), faces  # its narrative has no （一）
