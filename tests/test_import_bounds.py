"""`nianbao import` and `nianbao audit` on files built to exhaust them: memory, time, damage,
leftovers and the libraries' own words.

Every file is made here. Each such file fails alone, in Chinese, naming the file, and the other
files of the same command come through. Figures before #23, on the 2-core test machine: a
290 KB .docx whose XML unpacks to 160 MB, and a 4 MB PDF of one-letter texts, each took the
import past 4 GB; 175,000 empty paragraphs took 185 s (a regular expression ran over every
blank line after each line start).
"""
import csv
import io
import os
import re
import shutil
import subprocess
import sys
import time
import zipfile
import zlib
from pathlib import Path

import pytest
from conftest import FIXTURES, SAMPLES

from nianbao import limits
from nianbao.cli import main

FORM = FIXTURES / "documents" / "政务公开年报模版.docx"
SAMPLE = SAMPLES / "raw" / "hongze-2024.txt"
TITLE = "某市某局2023年政府信息公开工作年度报告"


def paragraph(text: str) -> str:
    return f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>"


def docx(path: Path, body: str) -> Path:
    """The official form with `body` for its body: a real package, any paragraphs."""
    with zipfile.ZipFile(FORM) as form, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as made:
        for member in form.infolist():
            data = form.read(member)
            if member.filename == "word/document.xml":
                xml = data.decode()
                data = (xml[:xml.index("<w:body>") + len("<w:body>")] + body + xml[xml.index("<w:sectPr"):]).encode()
            made.writestr(member.filename, data, compresslevel=9)
    return path


def deflated(content: bytes, spaces: int = 0) -> bytes:
    """`content` and then `spaces` spaces, deflated a megabyte at a time."""
    packer = zlib.compressobj(9)
    stream = packer.compress(content)
    for _ in range(spaces // 2**20):
        stream += packer.compress(b" " * 2**20)
    return stream + packer.flush()


def pdf(stream: bytes, page: bytes = b"") -> bytes:
    """A one-page PDF that draws `stream` (deflated) in Helvetica; `page` adds to its page."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] " + page +
               b" /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
               b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def failures(stderr: str) -> dict[str, str]:
    """Each failed file's name and why, from what `nianbao import` says on stderr."""
    return {Path(line.split(": ", 1)[0]).name: line.split(": ", 1)[1] for line in stderr.splitlines()}


# memory --------------------------------------------------------------------------------------

def test_files_that_take_more_memory_than_the_bound_fail_alone(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(limits.VARIABLE, "700")  # MiB: reached in a second, not in a minute
    folder = tmp_path / "downloads"
    folder.mkdir()
    shutil.copy(SAMPLE, folder / "good.txt")
    # XML of 160 MB in 0.3 MB: a tree of 28 million elements
    docx(folder / "unpacks.docx", paragraph(TITLE) + "<w:p/>" * (160 * 2**20 // 6))
    # a page whose drawing inflates to 1 GB: it is unpacked whole before it is read
    (folder / "inflates.pdf").write_bytes(pdf(deflated(b"BT /F1 1 Tf (a) Tj ET", spaces=2**30)))
    # a page of a million one-letter texts in 10 KB
    (folder / "letters.pdf").write_bytes(pdf(deflated(b"BT /F1 1 Tf " + b"(a) Tj " * 1_000_000 + b"ET")))
    assert main(["import", *sorted(map(str, folder.iterdir())), "--jobs", "2"]) == 1
    said = capsys.readouterr()
    assert said.out.startswith(f"{folder / 'good.txt'}  淮安市洪泽区人民政府 2024年度")
    failed = failures(said.err)
    assert sorted(failed) == ["inflates.pdf", "letters.pdf", "unpacks.docx"]
    assert failed["unpacks.docx"].startswith("Word 文件解压后有 160 MB，其中 XML 160 MB，超过上限")
    assert failed["inflates.pdf"] == limits.out_of_memory("读取此文件")
    assert failed["letters.pdf"].startswith("PDF 第 1 页的内容解压后有 6 MB，超过 4 MB")

    assert main(["audit", str(folder), "-o", str(tmp_path / "audit"), "--jobs", "2"]) == 1
    with (tmp_path / "audit" / "audit.csv").open(encoding="utf-8-sig") as table:
        rows = {row["file"]: row for row in csv.DictReader(table)}
    assert rows["good.txt"]["agency"] == "淮安市洪泽区人民政府"
    page = (tmp_path / "audit" / rows["inflates.pdf"]["findings"]).read_text(encoding="utf-8")
    assert "读取此文件所需内存超过上限 700 MB" in page


def test_a_scan_whose_ocr_takes_more_memory_than_the_bound_fails_alone(tmp_path, monkeypatch, capsys):
    """RapidOCR's ONNX Runtime says `std::bad_alloc` at the bound: said as the bound, in
    Chinese. A 300 dpi page takes the reading 200 MB past what the worker held when it began
    (OpenCV's own error for it, wrapped in RapidOCR's, is said as the bound too)."""
    import pdfplumber

    monkeypatch.setenv(limits.VARIABLE, "200")
    monkeypatch.delenv("NIANBAO_OCR", raising=False)
    with pdfplumber.open(FIXTURES / "documents" / "huaian-2024.pdf") as document:
        document.pages[3].to_image(resolution=300).original.convert("L").save(tmp_path / "scan.png")
    shutil.copy(SAMPLE, tmp_path / "good.txt")
    assert main(["import", str(tmp_path / "good.txt"), str(tmp_path / "scan.png"), "--jobs", "2"]) == 1
    said = capsys.readouterr()
    assert said.out.startswith(f"{tmp_path / 'good.txt'}  淮安市洪泽区人民政府 2024年度")
    assert failures(said.err) == {"scan.png": limits.out_of_memory("读取此文件")}


# time ----------------------------------------------------------------------------------------

def test_many_short_and_empty_paragraphs_are_read_in_linear_time(tmp_path):
    """33,000 short paragraphs, then 150,000 empty ones (Enter held down): all read within the
    import's own time limit for a file (60 s); 140 s before."""
    body = (paragraph(TITLE) + paragraph("一、总体情况") + "".join(paragraph(f"第{n}段。") for n in range(33_000))
            + "<w:p/>" * 150_000 + paragraph("二、主动公开政府信息情况"))
    docx(tmp_path / "long.docx", body)
    assert main(["import", str(tmp_path / "long.docx"), "-o", str(tmp_path / "out")]) == 0
    record = (tmp_path / "out" / "long.yaml").read_text(encoding="utf-8")
    assert len(re.findall(r"第\d+段。", record)) == 33_000


# damage --------------------------------------------------------------------------------------

def damaged(folder: Path) -> list[Path]:
    """A report on the official form cut short, with bytes changed inside its compressed text,
    and without one part or another."""
    report = docx(folder / "report.docx", paragraph(TITLE) + paragraph("一、总体情况") + paragraph("正文。"))
    data = report.read_bytes()
    with zipfile.ZipFile(report) as form:
        text = form.getinfo("word/document.xml")
        names = form.namelist()
        start = text.header_offset + 30 + len(text.filename.encode()) + len(text.extra)
        files = {"cut.docx": data[:len(data) // 2], "cut-early.docx": data[:200]}
        for offset in (0.25, 0.5, 0.75):  # inside the deflated document.xml
            changed = bytearray(data)
            at = start + int(text.compress_size * offset)
            changed[at:at + 16] = bytes(b ^ 0x5A for b in changed[at:at + 16])
            files[f"changed-{offset}.docx"] = bytes(changed)
        for missing in ("word/document.xml", "[Content_Types].xml"):
            without = io.BytesIO()
            with zipfile.ZipFile(without, "w", zipfile.ZIP_DEFLATED) as made:
                for name in names:
                    if name != missing:
                        made.writestr(name, form.read(name))
            files[f"without-{missing.replace('/', '-')}.docx"] = without.getvalue()
    report.unlink()
    for name, content in files.items():
        (folder / name).write_bytes(content)
    return [folder / name for name in files]


def test_a_damaged_docx_fails_in_words_naming_the_file(tmp_path, capsys):
    paths = damaged(tmp_path)
    shutil.copy(SAMPLE, tmp_path / "good.txt")
    assert main(["import", *map(str, paths), str(tmp_path / "good.txt")]) == 1
    said = capsys.readouterr()
    assert said.out.startswith(f"{tmp_path / 'good.txt'}  淮安市洪泽区人民政府 2024年度")
    failed = failures(said.err)
    assert sorted(failed) == sorted(path.name for path in paths)
    for name, why in failed.items():  # Chinese only after the file's name: no exception's English
        assert re.fullmatch(r"Word 文件已损坏或不是 \.docx 文件，无法读取（[^A-Za-z]+）", why), (name, why)


# leftovers and the libraries' words ----------------------------------------------------------

def nianbao(*args: str, tmp: Path, timeout: int = 300) -> subprocess.CompletedProcess:
    """`nianbao …` as a user runs it, its temporary files in `tmp`."""
    tmp.mkdir(exist_ok=True)
    return subprocess.run([sys.executable, "-m", "nianbao.cli", *args], capture_output=True, text=True,
                          env={**os.environ, "TMPDIR": str(tmp)}, timeout=timeout)


def test_a_scan_stopped_at_its_time_limit_leaves_no_temporary_files(tmp_path):
    import pdfplumber

    with pdfplumber.open(FIXTURES / "documents" / "huaian-2024.pdf") as document:
        document.pages[3].to_image(resolution=150).original.convert("L").save(tmp_path / "scan.png")
    done = nianbao("import", str(tmp_path / "scan.png"), "--timeout", "1", tmp=tmp_path / "tmp")
    assert done.stderr == f"{tmp_path / 'scan.png'}: 导入超过 1 秒，已放弃（文件过大或结构异常）\n"
    assert list((tmp_path / "tmp").iterdir()) == []


def running(text: str) -> bool:
    """Whether a process whose command line holds `text` is still running, after 10 s at most."""
    for _ in range(50):
        if subprocess.run(["pgrep", "-f", text], capture_output=True).returncode == 1:
            return False
        time.sleep(0.2)
    return True


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_a_word_97_file_stopped_at_its_time_limit_leaves_nothing_behind(tmp_path):
    """LibreOffice is stopped with the worker, and its folders go: it went on converting for up
    to 50 s before, its nianbao-doc-* folder and its own lu*.tmp left in the temporary folder."""
    flat = tmp_path / "long.fodt"
    flat.write_text('<?xml version="1.0" encoding="UTF-8"?>\n<office:document '
                    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
                    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2" '
                    'office:mimetype="application/vnd.oasis.opendocument.text"><office:body><office:text>'
                    + "".join(f"<text:p>第{n}段。</text:p>" for n in range(20_000))
                    + "</office:text></office:body></office:document>\n", encoding="utf-8")
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", "--convert-to",
                    "doc", "--outdir", str(tmp_path), str(flat)], check=True, capture_output=True, timeout=120,
                   env={**os.environ, "HOME": str(tmp_path)})
    done = nianbao("import", str(tmp_path / "long.doc"), "--timeout", "1", tmp=tmp_path / "tmp")
    assert done.stderr == f"{tmp_path / 'long.doc'}: 导入超过 1 秒，已放弃（文件过大或结构异常）\n"
    assert not running(str(tmp_path / "tmp"))
    assert list((tmp_path / "tmp").iterdir()) == []


def test_the_libraries_words_stay_off_the_terminal(tmp_path):
    """pdfminer's log (`Invalid CropBox in /Page`), PIL's DecompressionBombWarning and its
    error's English, seen in import and audit before; each file still gives its own result."""
    from PIL import Image

    folder = tmp_path / "downloads"
    folder.mkdir()
    (folder / "cropbox.pdf").write_bytes(pdf(deflated(b"BT /F1 12 Tf 50 800 Td (Hello) Tj ET"),
                                             page=b"/CropBox [0 0 595]"))
    Image.new("L", (10_000, 9_000), 255).save(folder / "large.png")  # 90 million pixels: PIL warns
    Image.new("L", (14_000, 13_000), 255).save(folder / "huge.png")  # 182 million: PIL refuses
    shutil.copy(SAMPLE, folder / "good.txt")
    imported = nianbao("import", *sorted(map(str, folder.iterdir())), tmp=tmp_path / "tmp")
    audited = nianbao("audit", str(folder), "-o", str(tmp_path / "out"), tmp=tmp_path / "tmp")
    for said in (imported.stderr, audited.stderr):
        assert "CropBox" not in said and "Warning" not in said, said
    assert failures(imported.stderr)["huge.png"] == "图片超过 178 百万像素，不像一页扫描件"
    assert imported.stdout.startswith(f"{folder / 'good.txt'}  淮安市洪泽区人民政府 2024年度")
