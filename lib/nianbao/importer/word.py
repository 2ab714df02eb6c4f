"""Word files: .docx through python-docx, its tables from their real cells; .doc (Word 97) made
into .docx by LibreOffice first.

Each table row of two cells or more becomes one line, its labels and then its values, as an
HTML table does. A cell merged across columns (gridSpan) is one cell; one merged down rows
(vMerge) is read in its first row only; a blank cell may hold ideographic spaces (U+3000), as
the official form does, and is blank. A table of one cell per row frames text: its paragraphs
are read as paragraphs. Each line keeps which table of the file it came from (`第 2 个表格`).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

from . import layout
from .sources import ImportFailed, Source, row_line

# A .docx is a zip: one that unpacks to more than this is no report (the official form
# unpacks to 0.1 MB, a report with pictures to a few MB) but a zip bomb.
MOST_UNPACKED = 200 * 2**20
# LibreOffice converts a report in 2–3 s, most of it starting up; beyond this it is stuck.
CONVERT_SECONDS = 50
_OLE = bytes.fromhex("d0cf11e0a1b11ae1")  # what a Word 97 (.doc) file begins with
_ZIP = b"PK\x03\x04"
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def read_docx(path: Path) -> Source:
    if _starts_with(path, _OLE):  # a .doc renamed .docx, as some sites publish
        return read_doc(path)
    return _read(path, path, "docx")


def read_doc(path: Path) -> Source:
    """A Word 97 file (or RTF, or HTML saved as .doc), converted to .docx by LibreOffice."""
    if _starts_with(path, _ZIP):  # a .docx renamed .doc
        return _read(path, path, "docx")
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise ImportFailed(f"{path}: 读取 .doc 文件需要 LibreOffice，本机没有安装"
                           "（Debian 软件包 libreoffice-writer-nogui，`make setup` 会安装）")
    with tempfile.TemporaryDirectory(prefix="nianbao-doc-") as folder:
        # A name of LibreOffice's own choosing: the file's may begin with `-` or hold anything.
        copy = Path(folder) / "report.doc"
        shutil.copyfile(path, copy)
        # `timeout` (coreutils) stops LibreOffice and its children even if this process is
        # stopped first (audit's per-file limit); LibreOffice needs a profile folder and a HOME
        # it may write to, a fresh one so that two conversions never share them.
        command = ["timeout", "-k", "5", str(CONVERT_SECONDS), soffice, f"-env:UserInstallation=file://{folder}/profile",
                   "--headless", "--norestore", "--convert-to", "docx", "--outdir", folder, str(copy)]
        done = subprocess.run(command, capture_output=True, text=True, cwd=folder,
                              env={**os.environ, "HOME": folder})
        converted = copy.with_suffix(".docx")
        if done.returncode == 124:
            raise ImportFailed(f"{path}: LibreOffice 转换 .doc 超过 {CONVERT_SECONDS} 秒，已放弃")
        if not converted.is_file():
            why = (done.stderr or done.stdout).strip().splitlines()
            raise ImportFailed(f"{path}: LibreOffice 无法转换此文件，可能已损坏或不是 Word 文件"
                               f"{'：' + why[-1] if why else ''}")
        return _read(converted, path, "doc")


def _read(docx_path: Path, path: Path, kind: str) -> Source:
    """The text of a .docx, its places named for `path` (the file as published)."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from lxml.etree import XMLSyntaxError

    try:
        with zipfile.ZipFile(docx_path) as package:
            unpacked = sum(member.file_size for member in package.infolist())
        if unpacked > MOST_UNPACKED:
            raise ImportFailed(f"{path}: Word 文件解压后有 {unpacked // 2**20} MB，超过 {MOST_UNPACKED // 2**20} MB，"
                               "不像一份年度报告")
        document = docx.Document(str(docx_path))
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, XMLSyntaxError, ValueError) as error:
        raise ImportFailed(f"{path}: Word 文件已损坏或不是 .docx 文件，无法读取（{type(error).__name__}: {error}）") from None
    lines: list[str] = []
    places: list[str] = []

    def add(text: str, place: str) -> None:
        for line in layout.one_line(text).split("\n"):  # a line break inside a paragraph
            lines.append(line.strip())
            places.append(place)

    tables = 0
    for element in _blocks(document.element.body):
        if element.tag == f"{_W}p":
            add(docx.text.paragraph.Paragraph(element, document).text, "")
            continue
        tables += 1
        table = docx.table.Table(element, document)
        for row in table.rows:
            cells = [None if tc.vMerge == "continue" else docx.table._Cell(tc, table) for tc in row._tr.tc_lst]
            real = [cell for cell in cells if cell is not None]
            if len(real) >= 2:
                add(row_line([layout.cell_text(cell.text) for cell in real]), f"第 {tables} 个表格")
            else:  # a frame around text
                for cell in real:
                    for paragraph in cell.paragraphs:
                        add(paragraph.text, f"第 {tables} 个表格")
    return Source("\n".join(lines), kind, places=tuple(places))


def _blocks(element):
    """The paragraphs and tables of the body in order, also those inside content controls and
    the like (`w:sdt`), never those inside a table."""
    for child in element:
        if child.tag in (f"{_W}p", f"{_W}tbl"):
            yield child
        elif child.tag != f"{_W}sectPr":
            yield from _blocks(child)


def _starts_with(path: Path, magic: bytes) -> bool:
    with path.open("rb") as handle:
        return handle.read(len(magic)) == magic
