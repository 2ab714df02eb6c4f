"""One report, three drawings (#27): the HTML page, the PDF and the Word file are drawn from the
executed notebook's one document, so what an analyst's cell adds shows in all three at its
place, the three say the same words in the same order, and what an office publishes carries
the report only: the review lives on its own page beside it."""
import io
import json
import re
import shutil
import subprocess

import docx
import nbformat
import pytest
import yaml
from bs4 import BeautifulSoup
from PIL import Image as PILImage
from pypdf import PdfReader

from conftest import ROOT, copy_project
from nianbao.cli import main
from nianbao.document import Chart, Heading, ListBlock, Paragraph, Signature, Table, Title
from nianbao.document.notebook import read

ANALYST_CELL = '''\
from IPython.display import Markdown, display
import matplotlib.pyplot as plt
import pandas as pd

display(Markdown("**分析**：本年新收申请较上年增加4件，主要来自自然人。"))
display(pd.DataFrame({"项目": ["新收申请", "办结申请"], "件数": [16, 16]}).set_index("项目"))
figure, axes = plt.subplots(figsize=(4, 2))
axes.bar(["2022年", "2023年"], [12, 16])
plt.show()
'''
# What an office must never publish: the review and the project's internals.
INTERNAL = ["审核意见", "审核决定", "已说明", "误报", "需修改", "有错误", ".yaml", "参数文件"]


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def pdf_text(path) -> str:
    return subprocess.run(["pdftotext", "-raw", path, "-"], capture_output=True, text=True, check=True).stdout


def word_text(path) -> str:
    """The Word file's text in body order: paragraphs, and each table's cells row by row."""
    document = docx.Document(path)
    texts = []
    for element in document.element.body:
        if element.tag.endswith("}p") or element.tag.endswith("}tbl"):
            texts.append("".join(t.text or "" for t in element.iter() if t.tag.endswith("}t")))
    return "\n".join(texts)


def html_text(path) -> str:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser").select_one("main").get_text()


@pytest.fixture(scope="module")
def analysed(tmp_path_factory):
    """A project whose template has an analyst's cell between parts 四 and 五, run by the batch."""
    project = copy_project(tmp_path_factory.mktemp("analysed"), [("2023", "shili-sjzyglj")])
    template = project / "notebooks/annual_report.ipynb"
    notebook = nbformat.read(template, as_version=4)
    [four] = [n for n, cell in enumerate(notebook.cells) if cell.source == 'report.part("四")']
    notebook.cells.insert(four + 1, nbformat.v4.new_code_cell(ANALYST_CELL))
    nbformat.write(notebook, template)
    run = subprocess.run([str(ROOT / ".venv/bin/nianbao"), "run"], cwd=project, capture_output=True, text=True,
                         check=False)
    assert run.returncode == 0, run.stdout + run.stderr
    return project / "outputs/2023/shili-sjzyglj"


def test_a_cell_an_analyst_adds_shows_at_its_place_in_html_pdf_and_word(analysed):
    words = ["分析：本年新收申请较上年增加4件，主要来自自然人。", "新收申请", "办结申请"]
    before, after = "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况"
    for text in (flat(html_text(analysed / "report.html")), flat(pdf_text(analysed / "report.pdf")),
                 flat(word_text(analysed / "report.docx"))):
        places = [text.index(before), *(text.index(word) for word in words), text.index(after)]
        assert places == sorted(places), places
    page = BeautifulSoup((analysed / "report.html").read_text(encoding="utf-8"), "html.parser")
    cell = page.select("section.cell")
    assert [section.find_previous("section").get("id") for section in cell[:1]] == ["part-四"]
    assert cell[0].find("strong").get_text() == "分析"  # Markdown's emphasis kept
    assert [td.get_text() for td in cell[1].select("tbody td")] == ["16", "16"]  # the DataFrame as a table
    assert cell[2].select_one("img")["src"].startswith("data:image/png;base64,")  # the chart, as shown
    pdf = PdfReader(analysed / "report.pdf")
    assert sum(len(page.images) for page in pdf.pages) == 1
    word = docx.Document(analysed / "report.docx")
    assert len(word.inline_shapes) == 1 and len(word.tables) == 4  # 表二, 三, 四 and the DataFrame


def test_jupyter_nbconvert_makes_the_batchs_files_of_an_executed_notebook(analysed, tmp_path):
    executed = tmp_path / "report.ipynb"
    shutil.copy(analysed / "report.ipynb", executed)
    for exporter in ("nianbao_html", "nianbao_review", "nianbao_pdf", "nianbao_docx"):
        subprocess.run([ROOT / ".venv/bin/jupyter", "nbconvert", "--to", exporter, executed], check=True,
                       capture_output=True)
    assert (tmp_path / "report.html").read_text(encoding="utf-8") == (analysed / "report.html").read_text(encoding="utf-8")
    assert (tmp_path / "report.review.html").read_text(encoding="utf-8") == \
        (analysed / "review.html").read_text(encoding="utf-8")
    assert flat(pdf_text(tmp_path / "report.pdf")) == flat(pdf_text(analysed / "report.pdf"))
    assert word_text(tmp_path / "report.docx") == word_text(analysed / "report.docx")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The whole demo run by the batch, the errors of 示例市交通运输局 decided 已说明 and 误报."""
    project = tmp_path_factory.mktemp("demo")
    for name in ("notebooks", "data", "params"):
        shutil.copytree(ROOT / name, project / name)
    nianbao = str(ROOT / ".venv/bin/nianbao")
    subprocess.run([nianbao, "run"], cwd=project, capture_output=True, check=False)
    checked = json.loads((project / "outputs/2023/shili-jtysj/checks.json").read_text(encoding="utf-8"))
    errors = [f["id"] for f in checked["findings"] if f["severity"] == "error"]
    decisions = [{"finding": errors[0], "decision": "已说明", "note": "2023年3月两局合并，按合并后口径填报", "by": "张三"},
                 *({"finding": other, "decision": "误报", "by": "张三"} for other in errors[1:])]
    (project / "reviews/2023").mkdir(parents=True)
    (project / "reviews/2023/shili-jtysj.yaml").write_text(yaml.safe_dump(decisions, allow_unicode=True),
                                                           encoding="utf-8")
    subprocess.run([nianbao, "run"], cwd=project, capture_output=True, check=False)
    return project / "outputs"


def reports(out):
    return sorted(path.parent for path in out.glob("*/*/report.html"))


def test_the_published_files_carry_the_report_only(demo):
    folders = reports(demo)
    assert len(folders) == 16
    for folder in folders:
        for name, text in [("report.html", (folder / "report.html").read_text(encoding="utf-8")),
                           ("report.pdf", pdf_text(folder / "report.pdf")),
                           ("report.docx", word_text(folder / "report.docx"))]:
            assert "review-panel" not in text and "flag-" not in text, (folder.name, name)
            found = [word for word in INTERNAL if word in flat(text)]
            assert found == [], (folder.name, name, found)


def test_the_review_page_has_the_review(demo):
    jtysj = (demo / "2023/shili-jtysj/review.html").read_text(encoding="utf-8")
    assert "审核意见" in jtysj and "审核决定：<strong>已说明</strong>" in jtysj and "误报" in jtysj
    assert "2023年3月两局合并，按合并后口径填报" in jtysj
    government = (demo / "2023/shili-szf/review.html").read_text(encoding="utf-8")
    for internal in ["已汇总，有错误（2 个）", "找不到 2023 年度的参数文件 shili-wsjkw.yaml", "params/2023/shili-jtysj.yaml"]:
        assert internal in government, internal
    published = flat(pdf_text(demo / "2023/shili-szf/report.pdf"))
    assert "示例市卫生健康委员会尚无本年度报告，未计入" in published


def expected_texts(blocks) -> list[str]:
    """What every drawing of the document must say, in order: titles, headings, paragraphs and
    list items, signature lines, chart titles, and the first labels and numbers of each table."""
    texts = []
    for block in blocks:
        if isinstance(block, (Title, Heading, Paragraph)):
            texts.append(block.text)
        elif isinstance(block, ListBlock):
            texts += [text for item in block.items for text in expected_texts(item)]
        elif isinstance(block, Signature):
            texts += [line.text for line in block.lines]
        elif isinstance(block, Chart):
            texts.append(block.title)
        elif isinstance(block, Table):
            # a label merged down stands in the middle of its lines, wherever a reader takes it
            texts += [cell.text for b in block.blocks for line in [*b.head, *b.body] for cell in line
                      if cell.kind in ("label", "value") and len(cell.text) > 1 and cell.rowspan == 1][:3]
    return [flat(text) for text in texts if flat(text)]


def test_the_three_files_say_the_same_in_the_same_order(demo):
    for folder in reports(demo):
        document, _ = read(nbformat.read(folder / "report.ipynb", as_version=4))
        expected = expected_texts(document.blocks)
        for name, text in [("html", flat(html_text(folder / "report.html"))),
                           ("pdf", re.sub(r"—\d+—|草稿（核查未通过）", "", flat(pdf_text(folder / "report.pdf")))),
                           ("docx", flat(word_text(folder / "report.docx")))]:
            at = 0
            for piece in expected:
                found = text.find(piece, at)
                assert found >= 0, (folder.name, name, piece, text[at:at + 80])
                at = found + len(piece)


def test_an_svg_picture_shows_in_all_three_and_names_no_file_it_could_read(tmp_path, listener):
    """An analyst's SVG (IPython's SVG, a chart saved as SVG): a picture in the page and the PDF,
    drawn as PNG for Word; a file or an address it names is never read or fetched."""
    from nbformat.v4 import new_code_cell, new_output

    from conftest import DEMO, report_notebook
    from nianbao import intake
    from nianbao.pages import html, typeset, word
    from nianbao.report import Report

    port, requests = listener
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="200" height="80">'
           '<rect width="200" height="80" fill="#1f5fa8"/><text x="10" y="40" fill="white">申请量</text>'
           f'<image href="http://127.0.0.1:{port}/x.png" width="10" height="10"/>'
           '<image xlink:href="file:///etc/passwd" width="10" height="10"/></svg>')
    notebook = report_notebook(Report(intake.read(DEMO), []), history=False)
    notebook.cells.insert(5, new_code_cell(outputs=[new_output("display_data", data={
        "image/svg+xml": svg, "text/plain": "<IPython.core.display.SVG object>"})]))
    document, _ = read(notebook)
    page = BeautifulSoup(html.page(document), "html.parser")
    assert page.select_one("section.cell img")["src"].startswith("data:image/svg+xml;base64,")
    # Typst draws the SVG as vector graphics: its blue, seen on a page rendered by poppler
    (tmp_path / "svg.pdf").write_bytes(typeset.pdf(document))
    subprocess.run(["pdftoppm", "-r", "30", "-png", tmp_path / "svg.pdf", tmp_path / "page"], check=True)
    blue = sum(count for page in sorted(tmp_path.glob("page-*.png"))
               for count, colour in PILImage.open(page).convert("RGB").getcolors(1 << 16) if colour == (31, 95, 168))
    assert blue > 100
    made = docx.Document(io.BytesIO(word.docx(document)))
    [shape] = made.inline_shapes
    blip = shape._inline.graphic.graphicData.pic.blipFill.blip.embed
    assert made.part.related_parts[blip].content_type == "image/png"
    assert requests == []


def test_running_one_department_makes_the_government_report_that_covers_it_again(tmp_path, monkeypatch, capsys):
    project = copy_project(tmp_path, [("2023", agency) for agency in
                                      ("shili-jtysj", "shili-scjgj", "shili-sjzyglj", "shili-zrzyghj", "shili-szf")])
    monkeypatch.chdir(project)
    assert main(["run"]) == 0
    total = json.loads((project / "outputs/2023/shili-szf/record.json").read_text(encoding="utf-8"))
    received = total["tables"]["三"]["一、本年新收政府信息公开申请数量"]
    record = project / "data/2023/shili-jtysj.yaml"  # the department corrects two numbers
    text = record.read_text(encoding="utf-8")
    assert "一、本年新收政府信息公开申请数量: [20, 2, 0, 0, 0, 0, 22]" in text
    record.write_text(text.replace("一、本年新收政府信息公开申请数量: [20, 2, 0, 0, 0, 0, 22]",
                                   "一、本年新收政府信息公开申请数量: [25, 2, 0, 0, 0, 0, 27]"), encoding="utf-8")
    capsys.readouterr()
    main(["run", "params/2023/shili-jtysj.yaml"])
    said = capsys.readouterr().out
    total = json.loads((project / "outputs/2023/shili-szf/record.json").read_text(encoding="utf-8"))
    now = total["tables"]["三"]["一、本年新收政府信息公开申请数量"]
    assert (now["自然人"], now["总计"]) == (received["自然人"] + 5, received["总计"] + 5)
    assert "依赖所选报告的另 1 份一并检查：重新生成 1" in said and "示例市人民政府（依赖 params/2023/shili-jtysj.yaml）" in said


def test_a_copied_project_skips_every_report(tmp_path, monkeypatch, capsys):
    first = copy_project(tmp_path / "first", [("2022", "shili-scjgj"), ("2023", "shili-scjgj")])
    monkeypatch.chdir(first)
    assert main(["run"]) == 0
    shutil.copytree(first, tmp_path / "copy")
    monkeypatch.chdir(tmp_path / "copy")
    capsys.readouterr()
    assert main(["run"]) == 0
    assert "生成 0，未变化跳过 2，失败 0" in capsys.readouterr().out
