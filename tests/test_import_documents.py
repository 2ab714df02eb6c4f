"""Importing reports in the files agencies publish: PDF with a text layer, Word (.docx and the old
.doc through LibreOffice), and scans read by OCR.

The PDFs in fixtures/documents/ are the three real WPS-made reports behind samples/expected/
(copied from shared/samples/originals/), and the blank official Word form as circulated. The Word
files and the scans are made here: the form filled in with a sample's published numbers, a PDF
page rendered to a grey 150 dpi picture as a scanner makes it.

`python tests/test_import_documents.py FILE…` prints, for each file named after a sample
(`huaian-2024.docx`), the share of its published cells read exactly and the time it took.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import docx
import pytest

from conftest import FIXTURES, SAMPLES
from nianbao import audit, importer
from nianbao.importer import ocr, ocr_tesseract, pool, word

DOCUMENTS = FIXTURES / "documents"
PDFS = ["hongze-2023", "hongze-2024", "huaian-2024"]


def expected(name: str) -> dict:
    return json.loads((SAMPLES / "expected" / f"{name}.json").read_text(encoding="utf-8"))


def published_cells(name: str):
    """(table, row path, column path, value) of every cell the sample's transcription holds."""
    data = expected(name)
    for row, values in data["table2"].items():
        for column, value in values.items():
            yield "二", row, column, value
    for row, values in data["table3"].items():
        for column, value in zip(data["table3_columns"], values, strict=True):
            yield "三", row, column, value
    for group, values in data["table4"].items():
        for column, value in zip(data["table4_columns"], values, strict=True):
            yield "四", "", f"{group}/{column}", value  # table 四 is one unlabelled line


def read_exactly(record, name: str) -> tuple[int, int, list[str]]:
    """How many of the sample's published cells the record holds exactly, of how many, and
    each one it does not."""
    wrong = []
    cells = list(published_cells(name))
    for table, row_path, column_path, value in cells:
        row = record.spec.resolve_row(table, row_path)
        column = record.spec.resolve_column(table, row, column_path) if row is not None else None
        got = record.tables[table][row][column] if column is not None else "（无此格）"
        if got != value:
            wrong.append(f"表{table} {row_path} {column_path}: 公布 {value}，读到 {got}")
    return len(cells) - len(wrong), len(cells), wrong


def assert_mostly_exact(imported, name: str, least: float = 0.95) -> None:
    exact, total, wrong = read_exactly(imported.record, name)
    assert exact >= least * total, f"{exact}/{total} 格读对:\n" + "\n".join(wrong)


# PDF with a text layer ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def pdfs():
    return {name: importer.read(DOCUMENTS / f"{name}.pdf") for name in PDFS}


@pytest.mark.parametrize("name", PDFS)
def test_real_pdfs_give_their_published_cells(pdfs, name):
    imported = pdfs[name]
    assert imported.kind == "pdf"
    assert_mostly_exact(imported, name)
    exact, total, wrong = read_exactly(imported.record, name)
    assert not wrong  # all of them, in fact
    record = imported.record
    assert (record.year, record.edition) == (expected(name)["year"], expected(name)["format"] if name == "huaian-2024"
                                             else "2021-single-six")


def test_pdf_narrative_is_read_as_paragraphs_across_page_breaks(pdfs):
    record = pdfs["huaian-2024"].record
    assert record.agency == "淮安市人民政府"
    overview = record.parts["一"]
    # part 一's （一） paragraph goes on from page 1 to page 2; the footer `- 1 -` is not in it
    assert "制作《淮安市人民政府公报》6 期" in overview and "- 1 -" not in overview
    assert "3940 元" in record.parts["六"]


def test_pdf_tables_are_placed_on_their_pages(pdfs):
    assert pdfs["huaian-2024"].places == {"二": "第 3 页、第 4 页", "三": "第 4 页、第 5 页", "四": "第 5 页"}
    assert pdfs["hongze-2024"].places["四"] == "第 4 页"


# Word ----------------------------------------------------------------------------------------

FORM = DOCUMENTS / "政务公开年报模版.docx"


def fill_form(name: str, folder: Path) -> Path:
    """The blank official form (its real merged cells) filled in with a sample's published
    numbers, as an agency fills it in Word: a title, the narrative, a number in every cell."""
    data = expected(name)
    form = docx.Document(str(FORM))
    paragraphs = form.paragraphs
    paragraphs[1].text = f"{data['agency']}{data['year']}年政府信息公开工作年度报告"
    narrative = [p for p in paragraphs if p.text.startswith("（文字描述")]
    narrative[0].text = "2024年，我市认真贯彻落实《中华人民共和国政府信息公开条例》。"
    narrative[1].text = "个别单位政策解读内容简单、形式单一。"
    narrative[2].text = "全年收取政府信息公开信息处理费3940元。"
    paragraphs[-1].text = "淮安市人民政府办公室"
    table2, table3, table4 = form.tables

    def values(row) -> list:  # the row's own cells, a merged one once, the last being its values
        return [docx.table._Cell(tc, row.table) for tc in row._tr.tc_lst]

    by_label = {row.split("/")[-1]: list(cells.values()) for row, cells in data["table2"].items()}
    for row in table2.rows:
        cells = values(row)
        if cells[0].text in by_label:
            for cell, value in zip(cells[1:], by_label[cells[0].text], strict=True):
                cell.text = str(value)
    for row, numbers in zip(table3.rows[3:], data["table3"].values(), strict=True):
        for cell, value in zip(values(row)[-7:], numbers, strict=True):
            cell.text = str(value)
    numbers = [value for group in data["table4"].values() for value in group]
    for cell, value in zip(values(table4.rows[-1]), numbers, strict=True):
        cell.text = str(value)
    path = folder / f"{name}.docx"
    form.save(str(path))
    return path


def libreoffice(path: Path, to: str, folder: Path) -> Path:
    """The file saved by LibreOffice in another format (another program's idea of Word)."""
    subprocess.run(["soffice", f"-env:UserInstallation=file://{folder}/profile", "--headless", "--convert-to", to,
                    "--outdir", str(folder / to), str(path)], check=True, capture_output=True,
                   env={**os.environ, "HOME": str(folder)}, timeout=120)
    return folder / to / f"{path.stem}.{to}"


@pytest.fixture(scope="module")
def filled(tmp_path_factory) -> Path:
    return fill_form("huaian-2024", tmp_path_factory.mktemp("word"))


def test_the_filled_official_form_imports_exactly(filled):
    imported = importer.read(filled)
    assert imported.kind == "docx"
    exact, total, wrong = read_exactly(imported.record, "huaian-2024")
    assert not wrong, "\n".join(wrong)
    assert not imported.notes, [note.message for note in imported.notes]
    assert imported.places == {"二": "第 1 个表格", "三": "第 2 个表格", "四": "第 3 个表格"}
    record = imported.record
    assert (record.agency, record.year, record.edition) == ("淮安市人民政府", 2024, "2021")
    assert "3940元" in record.parts["六"]


def test_blank_cells_of_the_form_are_blank_not_unreadable(tmp_path):
    """The blank form's empty cells hold ideographic spaces (U+3000): blank, never 0 or a label."""
    form = docx.Document(str(FORM))
    form.paragraphs[1].text = "某某县人民政府2024年政府信息公开工作年度报告"
    form.save(str(tmp_path / "blank.docx"))
    imported = importer.read(tmp_path / "blank.docx")
    assert imported.record.edition == "2021"
    assert all(value is None for rows in imported.record.tables.values() for cells in rows.values()
               for value in cells.values())
    assert not [note for note in imported.notes if note.rule != "导入.行未找到"]


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (libreoffice-writer-nogui) is not installed")
def test_a_word_97_file_imports_through_libreoffice(filled, tmp_path):
    doc = libreoffice(filled, "doc", tmp_path)  # Word 97, as LibreOffice writes it
    imported = importer.read(doc)
    assert imported.kind == "doc"
    exact, total, wrong = read_exactly(imported.record, "huaian-2024")
    assert not wrong, "\n".join(wrong)
    assert imported.places["三"] == "第 2 个表格"


def test_a_word_97_file_without_libreoffice_says_what_to_install(tmp_path, monkeypatch):
    doc = tmp_path / "report.doc"
    doc.write_bytes(bytes.fromhex("d0cf11e0a1b11ae1") + bytes(504))
    monkeypatch.setattr(word.shutil, "which", lambda name: None)
    with pytest.raises(importer.ImportFailed, match="report.doc: 读取 .doc 文件需要 LibreOffice.*libreoffice-writer-nogui"):
        importer.read(doc)


# Damaged files and evidence ------------------------------------------------------------------

def test_damaged_and_locked_files_fail_alone_naming_the_file(filled, tmp_path):
    import pypdf

    real = (DOCUMENTS / "hongze-2024.pdf").read_bytes()
    (tmp_path / "truncated.pdf").write_bytes(real[:3000])
    (tmp_path / "truncated.docx").write_bytes(filled.read_bytes()[:5000])
    locked = pypdf.PdfWriter(clone_from=pypdf.PdfReader(DOCUMENTS / "hongze-2024.pdf"))
    locked.encrypt("secret")
    locked.write(tmp_path / "locked.pdf")
    (tmp_path / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(40))
    shutil.copy(filled, tmp_path / "good.docx")
    paths = sorted(tmp_path.iterdir())
    results = {path.name: (imported, failure) for path, imported, failure in pool.read_all(paths, jobs=2)}
    assert results["good.docx"][0].record.year == 2024
    assert results["truncated.pdf"][1].startswith(f"{tmp_path / 'truncated.pdf'}: PDF 文件已损坏或不是 PDF，无法读取")
    assert results["truncated.docx"][1].startswith(f"{tmp_path / 'truncated.docx'}: Word 文件已损坏或不是 .docx 文件")
    assert results["locked.pdf"][1] == f"{tmp_path / 'locked.pdf'}: PDF 文件设有打开密码，无法读取"
    assert results["broken.png"][1].startswith(f"{tmp_path / 'broken.png'}: 图片已损坏或不是图片，无法读取")


def test_the_audit_page_says_where_each_table_was_found(filled, tmp_path):
    folder = tmp_path / "downloads"
    folder.mkdir()
    shutil.copy(DOCUMENTS / "huaian-2024.pdf", folder)
    shutil.copy(filled, folder / "huaian-2024-word.docx")
    audit.audit(folder, tmp_path / "audit", jobs=2)
    pdf_page = (tmp_path / "audit" / "reports" / "huaian-2024.html").read_text(encoding="utf-8")
    assert "表格在原文中的位置：表二见第 3 页、第 4 页；表三见第 4 页、第 5 页；表四见第 5 页" in pdf_page
    word_page = (tmp_path / "audit" / "reports" / "huaian-2024-word.html").read_text(encoding="utf-8")
    assert "表二见第 1 个表格；表三见第 2 个表格；表四见第 3 个表格" in word_page


# Scans ---------------------------------------------------------------------------------------

def scan(pdf: Path, pages: list[int], out: Path, askew: tuple[float, ...] = ()) -> Path:
    """Pages of a PDF as a scanner gives them: grey pictures at 150 dpi, each turned by its
    angle in `askew` (degrees counterclockwise, as a sheet fed crooked), bound into a PDF with
    no text layer (or saved as one picture, for a .png)."""
    import pdfplumber

    with pdfplumber.open(pdf) as document:
        pictures = [document.pages[n - 1].to_image(resolution=150).original.convert("L") for n in pages]
    pictures = [picture.rotate(angle, resample=3, fillcolor=255) for picture, angle in zip(pictures, askew)] \
        + pictures[len(askew):]
    pictures[0].save(out, save_all=out.suffix == ".pdf", append_images=pictures[1:], resolution=150)
    return out


needs_tesseract = pytest.mark.skipif(shutil.which("tesseract") is None,
                                     reason="Tesseract (tesseract-ocr, tesseract-ocr-chi-sim) is not installed")


@needs_tesseract
def test_a_scanned_pdf_gives_its_tables_and_names_the_pages_of_unsure_cells(tmp_path, monkeypatch):
    # 淮安's pages 4–6: table 三 across a page break, table 四, and the text giving the year,
    # read by Tesseract: its readings of a number disagree on a few cells, which stay unknown
    monkeypatch.setenv("NIANBAO_OCR", "tesseract")
    imported = importer.read(scan(DOCUMENTS / "huaian-2024.pdf", [4, 5, 6], tmp_path / "scan.pdf"))
    assert imported.kind == "scan"
    assert imported.places["三"] == "第 1 页、第 2 页"
    wrong = read_exactly(imported.record, "huaian-2024")[2]
    tables = [cell for cell in published_cells("huaian-2024") if cell[0] in "三四"]
    wrong = [line for line in wrong if not line.startswith("表二")]
    assert len(wrong) <= 0.05 * len(tables), "\n".join(wrong)
    unsure = [note for note in imported.notes if note.rule == "导入.识别不确定"]
    assert unsure and all(re.match(r"扫描件第 \d 页表格“.*”行有一格无法确定（识别为 “", note.message)
                          for note in unsure)


# Fetching anything, or even looking a host up, from the import's process or its workers
FETCHING = ("socket.connect", "socket.getaddrinfo", "socket.gethostbyname", "urllib.Request")


def test_a_skewed_scan_of_a_real_report_imports_with_its_cells_right_and_fetches_nothing(tmp_path):
    # 淮安's tables 三 and 四 on two pages fed crooked, one each way, read by `nianbao import`
    # (the year is on page 6) in a process that stops at its first network call: RapidOCR
    # downloads a model it is asked for by name and lacks
    scanned = scan(DOCUMENTS / "huaian-2024.pdf", [4, 5], tmp_path / "askew.pdf", askew=(1.5, -1.0))
    watched = ("import os, sys\n"
               "def stop(event, args):\n"
               f"    if event in {FETCHING!r}:\n"
               "        sys.stderr.write(f'network: {event} {args}\\n'); sys.stderr.flush(); os._exit(3)\n"
               "sys.addaudithook(stop)\n"
               "from nianbao.cli import main\n"
               "sys.exit(main(sys.argv[1:]))\n")
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    done = subprocess.run([sys.executable, "-c", watched, "import", str(scanned), "-o", str(tmp_path / "out"),
                           "--year", "2024", "--jobs", "1", "--timeout", "300"],
                          capture_output=True, text=True, cwd=tmp_path, env={**os.environ, "TMPDIR": str(temporary)})
    assert done.returncode == 0 and "network" not in done.stderr, done.stderr
    # ONNX Runtime's own telemetry (native, unseen by the hook) keeps its session file here when on
    assert list(temporary.iterdir()) == []
    from nianbao import intake

    record = intake.read(tmp_path / "out" / "askew.yaml")
    published = [cell for cell in published_cells("huaian-2024") if cell[0] in "三四"]
    wrong = [line for line in read_exactly(record, "huaian-2024")[2] if not line.startswith("表二")]
    assert len(wrong) <= 0.01 * len(published), "\n".join(wrong)  # 1 of 190 at most; none when measured


def test_a_page_scanned_askew_is_turned_level_by_the_angle_it_was_turned():
    import numpy as np
    import pdfplumber

    with pdfplumber.open(DOCUMENTS / "hongze-2024.pdf") as document:
        page = document.pages[2].to_image(resolution=150).original.convert("L")
    for angle in (0.0, 0.7, -2.0):
        turned = page.rotate(angle, resample=3, fillcolor=255) if angle else page
        level, found = ocr.straighten(np.asarray(turned))
        assert abs(found + angle) < 0.1, (angle, found)
        assert level.shape == (page.height, page.width)


@pytest.mark.parametrize("engine", ["rapidocr", pytest.param("tesseract", marks=needs_tesseract)])
def test_a_page_image_is_read_by_its_ruling(tmp_path, monkeypatch, engine):
    monkeypatch.setenv("NIANBAO_OCR", engine)
    source = ocr.read_image(scan(DOCUMENTS / "huaian-2024.pdf", [5], tmp_path / "page.png"))
    assert source.kind == "scan"
    assert "72  64  178  37  351  13  4  8  1  26  12  1  1  6  20" in source.text.splitlines()  # table 四


def test_an_unknown_ocr_engine_is_named_with_the_ones_there_are(tmp_path, monkeypatch):
    monkeypatch.setenv("NIANBAO_OCR", "paddle")
    with pytest.raises(importer.ImportFailed, match=r"page.png: 环境变量 NIANBAO_OCR 应为 rapidocr 或 tesseract，"
                                                    r"而不是“paddle”"):
        ocr.read_image(scan(DOCUMENTS / "hongze-2024.pdf", [1], tmp_path / "page.png"))


def test_a_scan_without_tesseract_says_what_to_install(tmp_path, monkeypatch):
    scanned = scan(DOCUMENTS / "hongze-2024.pdf", [1], tmp_path / "scan.pdf")
    monkeypatch.setenv("NIANBAO_OCR", "tesseract")
    monkeypatch.setattr(ocr_tesseract.shutil, "which", lambda name: None)
    with pytest.raises(importer.ImportFailed, match=r"scan.pdf: 第 1 页是扫描页面，读取扫描件需要 Tesseract OCR.*"
                                                    r"tesseract-ocr 和 tesseract-ocr-chi-sim"):
        importer.read(scanned)


def main(paths: list[str]) -> None:
    for path in map(Path, paths):
        start = time.perf_counter()
        imported = importer.read(path)
        seconds = time.perf_counter() - start
        name = path.stem.split(".")[0]
        exact, total, wrong = read_exactly(imported.record, name)
        print(f"{path.name}\t{imported.kind}\t{exact}/{total}\t{exact / total:.1%}\t{seconds:.2f} s")
        for line in wrong:
            print("   ", line)


if __name__ == "__main__":
    main(sys.argv[1:])
