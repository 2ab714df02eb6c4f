"""Hostile input, end to end: text from a record never becomes markup (HTML or Typst), the PDF
renderer reads no file and fetches nothing, and nothing is written outside the output folder."""
import base64
import hashlib
import re
import subprocess

import pytest
from pypdf import PdfReader

from conftest import DEMO, copy_project, drawn
from nianbao import intake
from nianbao.cli import main
from nianbao.pages import typeset
from nianbao.report import Report


def attachments(pdf) -> str:
    return subprocess.run(["pdfdetach", "-list", str(pdf)], capture_output=True, text=True, check=True).stdout


def test_an_agency_name_that_closes_the_title_stays_text_in_html_and_pdf(tmp_path, monkeypatch, listener):
    port, requests = listener
    monkeypatch.chdir(copy_project(tmp_path, [("2023", "shili-sjzyglj")]))
    hostile = (f"示例市突破局</title><link rel=attachment href=file:///etc/passwd>"
               f"<link rel=stylesheet href=http://127.0.0.1:{port}/x.css><script>alert(1)</script><title>")
    record = tmp_path / "data/2023/shili-sjzyglj.yaml"
    text = record.read_text(encoding="utf-8")
    assert "agency: 示例市数据资源管理局\n" in text
    record.write_text(text.replace("agency: 示例市数据资源管理局\n", f"agency: '{hostile}'\n"), encoding="utf-8")

    assert main(["run"]) == 0
    folder = tmp_path / "outputs/2023/shili-sjzyglj"
    html = (folder / "report.html").read_text(encoding="utf-8")
    assert "<script" not in html and "<link" not in html
    assert "&lt;/title&gt;&lt;link rel=attachment" in html  # shown as the text it is
    assert requests == []
    assert attachments(folder / "report.pdf").startswith("0 embedded files")
    index = (tmp_path / "outputs/index.html").read_text(encoding="utf-8")
    # the desk's own script is its only one, and its policy allows that script alone (by hash)
    [script] = re.findall(r"<script>(.*?)</script>", index, re.DOTALL)
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    assert index.count("<script") == 1 and f"script-src 'sha256-{digest}'" in index
    assert "alert(1)" not in script and "&lt;script&gt;alert(1)" in index


def test_the_pdf_shows_typst_syntax_links_and_markup_as_text_and_reads_nothing(tmp_path, listener):
    port, requests = listener
    hostile = ["<link rel=attachment href=file:///etc/passwd>", f"<link rel=stylesheet href=http://127.0.0.1:{port}/x.css>",
               '#read("/etc/passwd")', f'#image("http://127.0.0.1:{port}/x.png")', '#include "/etc/passwd"',
               "$x^2$", "] [ } { #", "\\ \\n \\u{41}", "<style>@import url(file:///etc/passwd);</style>"]
    record = intake.read(DEMO)
    record.agency = f"衢州{hostile[2]}]"
    record.contact = hostile[3]
    record.parts["一"] = "\n\n".join(hostile)
    pdf = tmp_path / "hostile.pdf"
    pdf.write_bytes(typeset.pdf(drawn(Report(record, []))[0]))
    text = subprocess.run(["pdftotext", "-raw", pdf, "-"], capture_output=True, text=True, check=True).stdout
    flat = re.sub(r"\s+", "", text)
    for line in hostile:
        assert re.sub(r"\s+", "", line) in flat, line
    assert 'root:x:0:0' not in text and requests == []
    assert attachments(pdf).startswith("0 embedded files")
    assert PdfReader(pdf).metadata.title.startswith('衢州#read("/etc/passwd")]')


def test_a_report_typst_cannot_lay_out_fails_with_its_title_and_the_reason(monkeypatch):
    import sys

    broken = ("import sys, typst\nfrom nianbao.pages import typeset\n"
              "typeset._compiler = lambda template: typst.Compiler(b'#json(bytes(sys.inputs.report)).nope')\n"
              "typeset._serve(sys.stdin.buffer, sys.stdout.buffer)")
    monkeypatch.setattr(typeset, "_typesetter", lambda pid: subprocess.Popen(
        [sys.executable, "-c", broken], stdin=subprocess.PIPE, stdout=subprocess.PIPE))
    document, _ = drawn(Report(intake.read(DEMO), []))
    with pytest.raises(typeset.TypesetError, match=r"(?s)《衢州市机关事务保障中心2022年政府信息公开工作年度报告》"
                                                   r"的 PDF 无法排版：.*does not contain key \"nope\""):
        typeset.pdf(document)


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised(tmp_path):
    import csv
    import shutil

    from conftest import SAMPLES

    folder = tmp_path / "downloads"
    folder.mkdir()
    shutil.copy(SAMPLES / "raw/hongze-2023.txt", folder / "=1+2+cmd|' A1'!A1.txt")
    shutil.copy(SAMPLES / "raw/hongze-2024.txt", folder / "@SUM(1).txt")
    main(["audit", str(folder), "-o", str(tmp_path / "audit")])
    with (tmp_path / "audit/audit.csv").open(encoding="utf-8-sig", newline="") as handle:
        files = [row["file"] for row in csv.DictReader(handle)]
    assert sorted(files) == ["'=1+2+cmd|' A1'!A1.txt", "'@SUM(1).txt"]


def test_a_file_that_takes_too_long_to_import_fails_alone(tmp_path, capsys):
    import shutil

    from conftest import SAMPLES

    folder = tmp_path / "downloads"
    folder.mkdir()
    shutil.copy(SAMPLES / "raw/hongze-2023.txt", folder)
    (folder / "huge.html").write_text("<html><body>" + "<p>政府信息公开工作年度报告 0 1 2</p>" * 200_000
                                      + "</body></html>", encoding="utf-8")  # 8 MB: seconds to parse
    main(["audit", str(folder), "-o", str(tmp_path / "audit"), "--timeout", "1"])
    out = capsys.readouterr().out
    assert "导入超过 1 秒，已放弃" in out and "huge.html" in out
    assert (tmp_path / "audit/records/hongze-2023.yaml").exists()


def test_no_id_or_name_makes_the_batch_write_outside_the_output_folder(tmp_path, monkeypatch):
    project = copy_project(tmp_path / "project", [("2023", "shili-sjzyglj")])
    monkeypatch.chdir(project)
    record = (project / "data/2023/shili-sjzyglj.yaml").read_text(encoding="utf-8")
    (project / "data/2023/evil.yaml").write_text(f"{record}\nagency_id: ../../../escaped\n", encoding="utf-8")
    params = {"....yaml": "agency_id: x\nyear: 2023\nrecord: data/2023/shili-sjzyglj.yaml\n",
              "climbs.yaml": "agency_id: ../../../escaped\nyear: 2023\nrecord: data/2023/shili-sjzyglj.yaml\n",
              "absolute.yaml": f"agency_id: {tmp_path}/escaped\nyear: 2023\nrecord: data/2023/shili-sjzyglj.yaml\n",
              "evil.yaml": "agency_id: evil\nyear: 2023\nrecord: data/2023/evil.yaml\n"}
    for name, text in params.items():
        (project / "params/2023" / name).write_text(text, encoding="utf-8")
    before = set(tmp_path.rglob("*"))
    assert main(["run"]) == 1
    outside = [path for path in set(tmp_path.rglob("*")) - before if project / "outputs" not in path.parents]
    assert outside == [project / "outputs"]
    assert not list(tmp_path.rglob("escaped*"))
    assert (project / "outputs/2023/shili-sjzyglj/report.pdf").exists()  # the good one is made


INDENTED = ("    四个空格缩进的一段：全年主动公开政府信息156条。\n\n"
            "\t制表符缩进的一段：新收政府信息公开申请16件。\n\n"
            "```\n围栏之间的一段：办结16件。\n```\n\n"
            "        八个空格缩进，用`反引号`的一段。")
INDENTED_WORDS = ["四个空格缩进的一段：全年主动公开政府信息156条。", "制表符缩进的一段：新收政府信息公开申请16件。",
                  "围栏之间的一段：办结16件。", "八个空格缩进，用`反引号`的一段。"]


@pytest.mark.parametrize("intake_format", ["yaml", "xlsx"])
def test_indented_paragraphs_and_a_fenced_block_keep_their_words_in_html_pdf_and_word(tmp_path, monkeypatch,
                                                                                        intake_format):
    import docx
    import yaml
    from bs4 import BeautifulSoup

    monkeypatch.chdir(copy_project(tmp_path, [("2023", "shili-sjzyglj")]))
    record = tmp_path / "data/2023/shili-sjzyglj.yaml"
    data = yaml.safe_load(record.read_text(encoding="utf-8"))
    data["parts"]["五"] = INDENTED
    record.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    if intake_format == "xlsx":  # the same text typed into the workbook's 正文 cells
        assert main(["workbook", "--record", str(record), "-o", "data/2023/shili-sjzyglj.xlsx"]) == 0
        record.unlink()
        (tmp_path / "params/2023/shili-sjzyglj.yaml").write_text(
            "agency_id: shili-sjzyglj\nyear: 2023\nrecord: data/2023/shili-sjzyglj.xlsx\n", encoding="utf-8")

    assert main(["run"]) == 0
    folder = tmp_path / "outputs/2023/shili-sjzyglj"
    page = BeautifulSoup((folder / "report.html").read_text(encoding="utf-8"), "html.parser")
    assert page.find(["pre", "code"]) is None
    html_paragraphs = [p.get_text() for p in page.find_all("p")]
    pdf = re.sub(r"\s+", "", subprocess.run(["pdftotext", "-raw", folder / "report.pdf", "-"],
                                            capture_output=True, text=True, check=True).stdout)
    word_paragraphs = [p.text for p in docx.Document(folder / "report.docx").paragraphs]
    for words in INDENTED_WORDS:  # each a paragraph of its own with its words, in the three files
        assert len([p for p in html_paragraphs if words in p]) == 1, words
        assert any(words in p for p in word_paragraphs), words
        assert words in pdf, words
    assert "```围栏之间的一段：办结16件。```" in html_paragraphs  # the fence's marks as typed, its lines broken
